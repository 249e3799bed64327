import {
  type Agent as HttpAgent,
  request as httpRequest,
  type OutgoingHttpHeaders,
} from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";

/** One POST to make: where, what, and the limits it runs under. */
export interface Exchange {
  url: URL;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  agent: HttpAgent | false;
  lookup: LookupFunction;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** What came back, short of timing: the status (null without a response) and at most the cap. */
export interface ExchangeResult {
  statusCode: number | null;
  error: string | null;
  retryAfter: string | undefined;
  responseBody: string;
}

// Retry-After is stored with the attempt; a receiver's header must not bloat that record.
const MAX_RETRY_AFTER_CHARS = 128;

/**
 * POSTs once and settles with a value, never a rejection: network errors, the guard's refusal
 * and the timeout become `error`. The timeout covers the whole exchange (connect, headers and
 * body), so a receiver trickling bytes cannot hold a worker. Reading stops at
 * `maxResponseBytes`, and then the socket is destroyed rather than drained. Redirects are never
 * followed (node:http does not follow them). Of the response headers only Retry-After is read.
 */
export function exchange(x: Exchange): Promise<ExchangeResult> {
  return new Promise((resolve) => {
    let statusCode: number | null = null;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const responseBody = Buffer.concat(chunks).toString("utf8");
      resolve({ statusCode, error, retryAfter, responseBody });
    };

    const send = x.url.protocol === "https:" ? httpsRequest : httpRequest;
    const options = { method: "POST", headers: x.headers, agent: x.agent, lookup: x.lookup };
    const request = send(x.url, options, (response) => {
      statusCode = response.statusCode ?? null;
      retryAfter = response.headers["retry-after"]?.slice(0, MAX_RETRY_AFTER_CHARS);
      response.on("data", (chunk: Buffer) => {
        const room = x.maxResponseBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = x.maxResponseBytes;
          finish(null);
          // The socket may still carry megabytes; it cannot go back to the pool, so drop it.
          request.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      response.on("end", () => finish(null));
      response.on("error", (error) => finish(describeError(error)));
      response.on("close", () => finish(response.complete ? null : "response ended early"));
    });
    request.on("error", (error) => finish(describeError(error)));
    const timer = setTimeout(() => {
      finish(`timeout after ${x.timeoutMs} ms`);
      request.destroy();
    }, x.timeoutMs);
    request.end(x.body);
  });
}

/**
 * A one-line description of a network error. Node reports a failed happy-eyeballs connect as an
 * AggregateError with an empty message, so its inner errors are described instead.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeError))].join("; ");
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return error.message || code || error.name;
  }
  return String(error);
}
