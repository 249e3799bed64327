/**
 * What to do after an attempt, following Standard Webhooks 1.0: `succeeded` (2xx), `disable`
 * (410 Gone: the receiver asks us to stop), `throttle` (retry later, honouring `Retry-After`),
 * `retry` (retry on the schedule). What "disable" means is the caller's policy.
 */
export type AttemptOutcome = "succeeded" | "retry" | "disable" | "throttle";

/** An attempt's outcome, with a short reason fit for a log line or an attempt record. */
export interface Classification {
  outcome: AttemptOutcome;
  reason: string;
}

const THROTTLING = new Set([429, 502, 503, 504]);

/**
 * Classifies an attempt by the receiver's status code. When there is a status it decides alone
 * (a receiver that answered 2xx has the webhook even if reading its body failed later); `error`
 * only explains an attempt that got no response, which is always retried. 3xx is a failure:
 * redirects are never followed, so the webhook did not arrive.
 */
export function classifyResponse(status: number | null, error: string | null): Classification {
  if (status === null)
    return { outcome: "retry", reason: `no response: ${error ?? "unknown error"}` };
  if (status >= 200 && status <= 299) return { outcome: "succeeded", reason: `HTTP ${status}` };
  if (status === 410) return { outcome: "disable", reason: "HTTP 410: the receiver is gone" };
  if (THROTTLING.has(status)) return { outcome: "throttle", reason: `HTTP ${status}: throttled` };
  if (status >= 300 && status <= 399) {
    return { outcome: "retry", reason: `HTTP ${status}: redirects are not followed` };
  }
  return { outcome: "retry", reason: `HTTP ${status}` };
}
