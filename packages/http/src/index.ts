/**
 * @hookrail/http — the HTTP edge's shared parts: domain errors, their one mapping to
 * problem+json (RFC 9457), and the request-id middleware.
 */
export * from "./errors.js";
export { notFoundHandler, problemHandler, requestId } from "./middleware.js";
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  isDatabaseUnavailable,
  toDomainError,
} from "./normalise.js";
export { type Problem, sendProblem, toProblem } from "./problem.js";
