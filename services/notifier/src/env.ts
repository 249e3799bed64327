import { commonEnv, duration, loadConfig, port } from "@hookrail/config";
import { allowedCidrsEnv, DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from "@hookrail/delivery";
import { secretKeysEnv } from "@hookrail/secrets";
import { z } from "zod";

/** The notifier's environment: parsed once at start; nothing else reads process.env. */
export const NotifierEnv = z.object({
  ...commonEnv,
  METRICS_PORT: port().default(9466).describe("The ops port: /metrics, /healthz, /readyz."),
  DELIVERY_ALLOWED_CIDRS: allowedCidrsEnv().describe(
    "CIDRs exempt from the SSRF guard. Empty: deliveries to loopback, private, link-local and reserved addresses are refused. Tests use 127.0.0.0/8.",
  ),
  SECRETS_ENCRYPTION_KEYS: secretKeysEnv().describe(
    "Keys that seal source and subscription secrets at rest: `v2:<base64 32 bytes>,v1:…`, newest first. Unset: secrets are stored as given (development only; a warning says so at start).",
  ),
  DELIVERY_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_RETRY_SCHEDULE)
    .transform((s, ctx) => {
      try {
        return parseRetrySchedule(s);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    })
    .describe(
      'Delays between attempts, e.g. "5s,5m,30m,2h": attempts = entries + 1. About three days by default.',
    ),
  DELIVERY_TIMEOUT: duration()
    .prefault("15s")
    .describe("Time allowed for one attempt: connect, send, and the response."),
  NOTIFIER_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe("Deliveries taken per fetch, per lane (first attempts, retries)."),
  NOTIFIER_MAX_DELIVERIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe(
      "Deliveries of one request message before it is dead-lettered. Generous, because a request can arrive before its delivery exists (after a restore, until the processor has caught up).",
    ),
  NOTIFIER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe("Batches in flight at once, per lane."),
  SUBSCRIPTION_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(16)
    .describe("Attempts in flight at once to one subscription's endpoint."),
  CIRCUIT_FAILURE_THRESHOLD: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(5)
    .describe(
      "Consecutive failures that open a subscription's circuit (its deliveries then wait).",
    ),
  CIRCUIT_OPEN: duration()
    .prefault("30s")
    .describe(
      "How long an opened circuit waits before a probe; doubles after each failed probe, up to 10 min.",
    ),
  RETRY_POLL_INTERVAL: duration().prefault("1s").describe("How often due retries are looked for."),
});
export type NotifierConfig = z.output<typeof NotifierEnv>;

export const loadNotifierConfig = () => loadConfig(NotifierEnv, "notifier");
