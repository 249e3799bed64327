import { randomUUID } from "node:crypto";
import { HeaderName, REQUEST_ID_PATTERN } from "@hookrail/contracts";
import { currentRequestId, type Logger, withRequestId } from "@hookrail/observability";
import { trace } from "@opentelemetry/api";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { NotFound } from "./errors.js";
import { toDomainError } from "./normalise.js";
import { sendProblem, toProblem } from "./problem.js";

/**
 * Keeps a sane incoming X-Request-Id or makes one, echoes it on the response, and runs the rest
 * of the request inside its context (logs) and on the active span (traces).
 */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(HeaderName.requestId);
    const id = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    res.setHeader(HeaderName.requestId, id);
    trace.getActiveSpan()?.setAttribute("hookrail.request_id", id);
    // The rest of the request runs with the id: on its log lines and, with telemetry on, in the
    // baggage that carries it with the trace context into NATS headers and beyond.
    withRequestId(id, () => next());
  };
}

/**
 * The last middleware: answers every error as problem+json. Unexpected (5xx) errors are logged
 * with their stack and handed to `report` (Sentry); their details never reach the client.
 */
export function problemHandler(options: {
  logger: Logger;
  report?: (error: unknown, requestId: string | undefined) => void;
  /** Retry-After when the event store is unavailable (default 5). */
  retryAfterSeconds?: number;
}): ErrorRequestHandler {
  return (rawError, req, res, _next) => {
    const error = toDomainError(rawError, {
      contentType: req.get("content-type"),
      retryAfterSeconds: options.retryAfterSeconds,
    });
    const rid = currentRequestId() ?? res.getHeader(HeaderName.requestId)?.toString();
    const { problem, retryAfter } = toProblem(error, {
      instance: req.originalUrl.split("?")[0],
      requestId: rid,
    });
    if (problem.status >= 500) {
      options.logger.error({ err: error, status: problem.status }, "request failed");
      if (problem.status === 500) options.report?.(error, rid);
    }
    if (res.headersSent) return;
    sendProblem(res, problem, retryAfter);
  };
}

/** 404 for routes that do not exist, answered by the one mapping like every other error. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new NotFound(`no route for ${req.method} ${req.path}`));
}
