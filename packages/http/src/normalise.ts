import {
  BodyTooLarge,
  DatabaseUnavailable,
  HookrailError,
  InvalidRequest,
  RefusedRequest,
  UnsupportedContentEncoding,
  UnsupportedContentType,
} from "./errors.js";

/** Seconds a client is asked to wait when the event store is down, unless the caller says. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The shape Express, body-parser and raw-body give the errors they throw (http-errors). */
interface HttpLayerError {
  type?: unknown;
  limit?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
}

/**
 * Turns what is not a domain error yet into one, so the one mapping answers it:
 *   - refusals of the HTTP layer (Express's path decoding, body-parser, raw-body), which carry
 *     `expose: true` and a 4xx status, keep that status with a generic detail: their own messages
 *     quote the input or name internals, so they never reach the client;
 *   - a lost or refusing Postgres becomes `DatabaseUnavailable` (503 with Retry-After).
 * Anything else is returned as it is (and answered as a 500).
 */
export function toDomainError(
  error: unknown,
  options: { contentType?: string; retryAfterSeconds?: number } = {},
): unknown {
  if (error instanceof HookrailError) return error;
  // First: a client's own failure (a reset while its body is read) is exposed as a 4xx.
  const status = exposedClientStatus(error);
  if (status === undefined) {
    if (!isDatabaseUnavailable(error)) return error;
    const retryAfter = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    return new DatabaseUnavailable(retryAfter, error);
  }
  const e = error as HttpLayerError;
  switch (e.type) {
    case "entity.too.large":
      return new BodyTooLarge(typeof e.limit === "number" ? e.limit : 0);
    case "entity.parse.failed":
      return new InvalidRequest("the body is not valid JSON");
    case "encoding.unsupported":
      return new UnsupportedContentEncoding();
    case "charset.unsupported":
      return new UnsupportedContentType(options.contentType, "application/json (UTF-8)");
    case "request.aborted":
      return new InvalidRequest("the request was aborted before its body was read");
    case "request.size.invalid":
      return new InvalidRequest("the body's length does not match its Content-Length");
  }
  // Express decodes path parameters with decodeURIComponent and throws its URIError (400).
  if (error instanceof URIError)
    return new InvalidRequest("a path parameter is not valid percent-encoding");
  // body-parser wraps a decompression failure (zlib, brotli, zstd) as a bare 400.
  if (status === 400)
    return new InvalidRequest("the body could not be read: it does not decode with its encoding");
  if (status === 413) return new BodyTooLarge(0);
  if (status === 415) return new UnsupportedContentEncoding();
  return new RefusedRequest(status, "the request was refused");
}

/**
 * The 4xx status of an error its thrower marked as the client's fault: `expose: true`
 * (http-errors), or Express's URIError, which sets a 400 status but no `expose`.
 */
function exposedClientStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as HttpLayerError;
  const status = typeof e.status === "number" ? e.status : e.statusCode;
  if (typeof status !== "number" || !(e.expose === true || error instanceof URIError))
    return undefined;
  return Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}

// SQLSTATEs meaning "the database cannot serve you now", not "your query is wrong":
// 08xxx connection exceptions, 57P01-57P03 admin/crash shutdown and "cannot connect now",
// 25006 read-only transaction (a replica, or a primary being demoted), 53300 too many connections.
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|25006|53300)$/;
// Socket-level failures on the way to Postgres.
const UNAVAILABLE_SOCKET = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
// What node-postgres and its pool say, without a code, when a connection is lost or never made.
const UNAVAILABLE_MESSAGE =
  /^(timeout exceeded when trying to connect|Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end on the pool)$/;

/**
 * True for an error that says Postgres is unreachable, shutting down, refusing connections or
 * read-only: the request may well succeed later. Looks through `cause` and AggregateError's
 * `errors` (a refused dual-stack connect), a few levels deep.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string") {
    if (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_SOCKET.has(e.code)) return true;
  }
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1)))
    return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
