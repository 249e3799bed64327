import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";
import { performance } from "node:perf_hooks";
import { signStandardWebhook } from "@hookrail/signatures";
import type { AddressGuard } from "./address-guard.js";
import { exchange } from "./exchange.js";
import { guardedLookup } from "./guarded-lookup.js";
import { checkExtraHeaders, checkHeaderValue, USER_AGENT } from "./headers.js";
import { parseTarget } from "./url-check.js";

/** One attempt to deliver one webhook to one receiver. */
export interface DeliveryRequest {
  /** The receiver's http(s) URL. A bad or refused URL is an attempt result, not an exception. */
  url: string;
  /** Sent as `webhook-id`; the receiver's idempotency key, the same for every attempt. */
  deliveryId: string;
  /** The exact bytes sent and signed. */
  body: Buffer | string;
  contentType: string;
  /** Signing secrets: one, or two during a rotation (each yields a signature). */
  secrets: string[];
  /** Extra headers, e.g. `X-Request-Id`. Checked by `checkExtraHeaders`: a bad one throws. */
  headers?: Record<string, string>;
  /** Whole-attempt limit: connect, headers and body. 15000 is the usual choice. */
  timeoutMs: number;
  /** At most this much of the response body is read and kept; 64 KiB is the usual choice. */
  maxResponseBytes: number;
  /** Decides which addresses may be connected to. */
  guard: AddressGuard;
  /** DNS lookup to guard; `dns.lookup` by default. Tests inject names. */
  lookup?: LookupFunction;
  /** Clock for `webhook-timestamp`; the system clock by default. */
  now?: () => Date;
}

/** What one attempt did. Every expected failure is here as a value. */
export interface AttemptResult {
  /** The receiver's status, or null when there was no response. */
  statusCode: number | null;
  /** Wall time of the attempt on the monotonic clock, in milliseconds. */
  durationMs: number;
  /** Why there was no (complete) response, e.g. "connect ECONNREFUSED 127.0.0.1:1". */
  error: string | null;
  /** The raw Retry-After header, for `retryAfterDelay`. */
  retryAfter: string | undefined;
  /** The response body, cut at `maxResponseBytes`, decoded as UTF-8. */
  responseBody: string;
}

/**
 * Sends one signed webhook (`deliverWebhook` without pooling — for one-off sends such as a
 * "send test event" button). POSTs `body` with `content-type`, `content-length`, the User-Agent
 * `Hookrail-Webhooks/1.0` and Standard Webhooks headers (`webhook-id` = `deliveryId`,
 * `webhook-timestamp` = now in seconds, `webhook-signature` with every secret). Every address is
 * checked by `guard` — an IP literal before the request, a name as it is resolved inside the
 * connect. Never follows redirects. Resolves with the result on every network failure; rejects
 * only on caller bugs (a bad extra header or content type, non-positive limits, bad secrets).
 */
export function deliverWebhook(request: DeliveryRequest): Promise<AttemptResult> {
  return attempt(request, guardedLookup(request.guard, request.lookup), () => false);
}

/** Options of a dispatcher: the guard and DNS of every connection it opens, and its pool size. */
export interface DispatcherOptions {
  guard: AddressGuard;
  lookup?: LookupFunction;
  now?: () => Date;
  /** Concurrent connections per receiver origin (host and port). Default 50. */
  maxSocketsPerOrigin?: number;
  /** Idle time after which a pooled connection is closed, unless the receiver hints sooner. */
  idleSocketTimeoutMs?: number;
}

/** A delivery as a dispatcher takes it: the guard, DNS and clock are the dispatcher's. */
export type DispatchRequest = Omit<DeliveryRequest, "guard" | "lookup" | "now">;

/** Sends webhooks over pooled keep-alive connections. */
export interface Dispatcher {
  /** As `deliverWebhook`, reusing connections to the same origin. */
  deliver(request: DispatchRequest): Promise<AttemptResult>;
  /** Closes every pooled connection; later deliveries open new ones. */
  close(): void;
}

/**
 * A dispatcher owning one keep-alive http.Agent and one https.Agent, at most
 * `maxSocketsPerOrigin` (50) connections per origin. The notifier sends thousands of webhooks a
 * second to a few receivers, so reusing connections (and TLS sessions) matters. The guard is the
 * dispatcher's, not the request's, because a pooled connection is only as safe as the guard that
 * vetted its address when it was opened; reused connections are not resolved again.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const lookup = guardedLookup(options.guard, options.lookup);
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSocketsPerOrigin ?? 50,
    timeout: options.idleSocketTimeoutMs ?? 4000,
    // On the agent too, so that no connection it opens can skip the guard.
    lookup,
  };
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  const shared = { guard: options.guard, now: options.now };
  return {
    deliver: (request) =>
      attempt({ ...request, ...shared }, lookup, (url) =>
        url.protocol === "https:" ? https : http,
      ),
    close: () => {
      http.destroy();
      https.destroy();
    },
  };
}

async function attempt(
  request: DeliveryRequest,
  lookup: LookupFunction,
  agentFor: (url: URL) => HttpAgent | false,
): Promise<AttemptResult> {
  checkLimits(request);
  const extra = checkExtraHeaders(request.headers);
  checkHeaderValue("content-type", request.contentType);
  const body = typeof request.body === "string" ? Buffer.from(request.body) : request.body;
  const started = performance.now();
  const failed = (error: string): AttemptResult => ({
    statusCode: null,
    durationMs: elapsed(started),
    error,
    retryAfter: undefined,
    responseBody: "",
  });

  const target = parseTarget(request.url);
  if (!target.ok) return failed(`invalid URL: ${target.reason}`);
  // Node does not call `lookup` for an IP literal, so the guard sees it here.
  if (target.ipLiteral) {
    const verdict = request.guard.check(target.host);
    if (!verdict.ok) return failed(`address blocked: ${verdict.reason}`);
  }
  const now = (request.now ?? (() => new Date()))();
  const signature = signStandardWebhook({
    id: request.deliveryId,
    timestamp: Math.floor(now.getTime() / 1000),
    body,
    secrets: request.secrets,
  });
  const headers = {
    ...extra,
    ...signature,
    "content-type": request.contentType,
    "content-length": body.length,
    "user-agent": USER_AGENT,
  };
  const result = await exchange({
    url: target.url,
    headers,
    body,
    agent: agentFor(target.url),
    lookup,
    timeoutMs: request.timeoutMs,
    maxResponseBytes: request.maxResponseBytes,
  });
  return { ...result, durationMs: elapsed(started) };
}

// Whole milliseconds on the monotonic clock: the wall clock may be stepped during an attempt.
function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function checkLimits(request: DeliveryRequest): void {
  for (const key of ["timeoutMs", "maxResponseBytes"] as const) {
    // eslint-disable-next-line security/detect-object-injection -- key is one of the two literal property names in the array above
    const value = request[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`${key} must be a positive whole number, got ${value}`);
    }
  }
}
