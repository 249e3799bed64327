import { commonEnv, loadConfig, port } from "@hookrail/config";
import { allowedCidrsEnv } from "@hookrail/delivery";
import { secretKeysEnv } from "@hookrail/secrets";
import { z } from "zod";

/** The gateway's environment: parsed once at start; nothing else reads process.env. */
export const GatewayEnv = z.object({
  ...commonEnv,
  PORT: port().default(8080).describe("The public HTTP port: ingest and admin API."),
  METRICS_PORT: port().default(9464).describe("The ops port: /metrics, /healthz, /readyz."),
  ADMIN_API_KEY: z
    .string()
    .min(16, "must be at least 16 characters")
    .optional()
    .describe("Bootstrap API key with every scope. Unset: only keys created through the API work."),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .default(1_048_576)
    .describe(
      "Largest webhook body accepted, in bytes. The broker's own max_payload (1 MiB by default, headers included) also caps it: the gateway uses the smaller of the two and says so.",
    ),
  PUBLISH_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(5_000)
    .describe(
      "How long a published webhook may wait for JetStream's ack before the gateway answers 503.",
    ),
  DELIVERY_ALLOWED_CIDRS: allowedCidrsEnv().describe(
    "CIDRs exempt from the SSRF guard when subscriptions are registered (the notifier checks again at every delivery). Empty: loopback, private, link-local and reserved are refused.",
  ),
  SECRETS_ENCRYPTION_KEYS: secretKeysEnv().describe(
    "Keys that seal source and subscription secrets at rest: `v2:<base64 32 bytes>,v1:…`, newest first. Unset: secrets are stored as given (development only; a warning says so at start).",
  ),
  RATE_LIMIT_SOURCE_PER_SECOND: z.coerce
    .number()
    .int()
    .min(0)
    .default(5000)
    .describe("Webhooks a second one source may send, across all gateway replicas; 0: no limit."),
  RATE_LIMIT_API_KEY_PER_SECOND: z.coerce
    .number()
    .int()
    .min(0)
    .default(100)
    .describe(
      "Admin API requests a second one API key may make, across all replicas; 0: no limit.",
    ),
  AUTH_FAILURES_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe(
      "Failed authentications a minute one client address may make before it is refused (per replica).",
    ),
  RETRY_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(5)
    .describe("Seconds a client is told to wait (Retry-After) when the broker is unavailable."),
});
export type GatewayConfig = z.output<typeof GatewayEnv>;

export const loadGatewayConfig = () => loadConfig(GatewayEnv, "gateway");
