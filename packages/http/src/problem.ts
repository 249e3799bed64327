import type { Response } from "express";
import {
  BodyTooLarge,
  BrokerUnavailable,
  Conflict,
  DatabaseUnavailable,
  Forbidden,
  type HookrailError,
  InvalidRequest,
  InvalidSignature,
  NotFound,
  RateLimited,
  RefusedRequest,
  Unauthenticated,
  UnsupportedContentEncoding,
  UnsupportedContentType,
} from "./errors.js";

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

interface Mapping {
  status: number;
  /** When the status travels with the error rather than with its class. */
  statusOf?: (e: HookrailError) => number;
  title: string;
  retryAfter?: (e: HookrailError) => number;
  extensions?: (e: HookrailError) => Record<string, unknown>;
}

/** The one table from domain error to HTTP. */
const mappings = new Map<new (...args: never[]) => HookrailError, Mapping>([
  [
    InvalidRequest,
    {
      status: 400,
      title: "Invalid request",
      extensions: (e) => ({ issues: (e as InvalidRequest).issues }),
    },
  ],
  [Unauthenticated, { status: 401, title: "Unauthenticated" }],
  [
    InvalidSignature,
    {
      status: 401,
      title: "Invalid signature",
      extensions: (e) => ({ reason: (e as InvalidSignature).reason }),
    },
  ],
  [Forbidden, { status: 403, title: "Forbidden" }],
  [NotFound, { status: 404, title: "Not found" }],
  [Conflict, { status: 409, title: "Conflict" }],
  [BodyTooLarge, { status: 413, title: "Body too large" }],
  [UnsupportedContentType, { status: 415, title: "Unsupported content type" }],
  [UnsupportedContentEncoding, { status: 415, title: "Unsupported content encoding" }],
  [
    RefusedRequest,
    {
      status: 400,
      statusOf: (e) => (e as RefusedRequest).status,
      title: "Request refused",
    },
  ],
  [
    RateLimited,
    {
      status: 429,
      title: "Too many requests",
      retryAfter: (e) => (e as RateLimited).retryAfterSeconds,
    },
  ],
  [
    BrokerUnavailable,
    {
      status: 503,
      title: "Broker unavailable",
      retryAfter: (e) => (e as BrokerUnavailable).retryAfterSeconds,
    },
  ],
  [
    DatabaseUnavailable,
    {
      status: 503,
      title: "Event store unavailable",
      retryAfter: (e) => (e as DatabaseUnavailable).retryAfterSeconds,
    },
  ],
]);

/** The problem for any error: domain errors by the table, anything else a bare 500. */
export function toProblem(
  error: unknown,
  context: { instance?: string; requestId?: string },
): { problem: Problem; retryAfter?: number } {
  for (const [type, m] of mappings) {
    if (error instanceof type) {
      return {
        problem: {
          type: `urn:hookrail:problem:${error.code}`,
          title: m.title,
          status: m.statusOf?.(error) ?? m.status,
          detail: error.message,
          ...context,
          ...m.extensions?.(error),
        },
        ...(m.retryAfter ? { retryAfter: m.retryAfter(error) } : {}),
      };
    }
  }
  // Never leak internals: the detail of an unexpected error stays in logs and Sentry.
  return {
    problem: {
      type: "urn:hookrail:problem:internal",
      title: "Internal error",
      status: 500,
      detail: "an unexpected error occurred; quote the requestId when reporting it",
      ...context,
    },
  };
}

export function sendProblem(res: Response, problem: Problem, retryAfter?: number): void {
  if (retryAfter !== undefined)
    res.setHeader("Retry-After", String(Math.max(1, Math.ceil(retryAfter))));
  res.status(problem.status).type("application/problem+json").send(JSON.stringify(problem));
}
