import { commonEnv, duration, loadConfig, port } from "@hookrail/config";
import { allowedCidrsEnv, DEFAULT_RETRY_SCHEDULE, parseRetrySchedule } from "@hookrail/delivery";
import { secretKeysEnv } from "@hookrail/secrets";
import { z } from "zod";

/** The notifier's environment: parsed once at start; nothing else reads process.env. */
export const NotifierEnv = z.object({
  ...commonEnv,
  /** The ops port: /metrics, /healthz, /readyz. */
  METRICS_PORT: port().default(9466),
  /**
   * CIDRs exempt from the SSRF guard. Empty: deliveries to loopback, private, link-local and
   * reserved addresses are refused. Tests use 127.0.0.0/8.
   */
  DELIVERY_ALLOWED_CIDRS: allowedCidrsEnv(),
  /**
   * Keys that seal source and subscription secrets at rest: `v2:<base64 32 bytes>,v1:…`, newest
   * first. Unset: secrets are stored as given (development only; a warning says so at start).
   */
  SECRETS_ENCRYPTION_KEYS: secretKeysEnv(),
  /** Delays between attempts, e.g. "5s,5m,30m,2h": attempts = entries + 1. About three days by default. */
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
    }),
  /** Time allowed for one attempt: connect, send, and the response. */
  DELIVERY_TIMEOUT: duration().prefault("15s"),
  /** Deliveries taken per fetch, per lane (first attempts, retries). */
  NOTIFIER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /**
   * Deliveries of one request message before it is dead-lettered. Generous, because a request
   * can arrive before its delivery exists (after a restore, until the processor has caught up).
   */
  NOTIFIER_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(20),
  /** Batches in flight at once, per lane. */
  NOTIFIER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Attempts in flight at once to one subscription's endpoint. */
  SUBSCRIPTION_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** Consecutive failures that open a subscription's circuit (its deliveries then wait). */
  CIRCUIT_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long an opened circuit waits before a probe; doubles after each failed probe, up to 10 min. */
  CIRCUIT_OPEN: duration().prefault("30s"),
  /** How often due retries are looked for. */
  RETRY_POLL_INTERVAL: duration().prefault("1s"),
});
export type NotifierConfig = z.output<typeof NotifierEnv>;

export const loadNotifierConfig = () => loadConfig(NotifierEnv, "notifier");
