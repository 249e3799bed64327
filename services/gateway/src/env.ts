import { commonEnv, loadConfig, port } from "@hookrail/config";
import { allowedCidrsEnv, parseCidrs } from "@hookrail/delivery";
import { secretKeysEnv } from "@hookrail/secrets";
import { z } from "zod";

/**
 * `TRUST_PROXY`, given to Express's `trust proxy` setting: off (`false`, `0` or empty: the TCP
 * peer is the client), a hop count (the client is that many addresses back in
 * X-Forwarded-For), or comma-separated CIDRs of the proxies (the client is the first address
 * from the right that is not one of them). `true` (trust every hop) is refused: any client could
 * then name its own address and escape the auth-failure throttle (F-14).
 */
const trustProxy = () =>
  z
    .string()
    .default("false")
    .transform((raw, ctx): false | number | string[] => {
      const text = raw.trim();
      if (text === "" || text === "false" || text === "0") return false;
      if (/^\d{1,3}$/.test(text)) return Number(text);
      if (text === "true") {
        ctx.addIssue({
          code: "custom",
          message:
            "true would trust every X-Forwarded-For hop, so a client could choose its own address; give the number of proxies in front of the gateway or their CIDRs",
        });
        return z.NEVER;
      }
      try {
        return parseCidrs(text.split(",").map((x) => x.trim())).map((c) => c.text);
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: `${(error as Error).message}; expected a hop count (e.g. 1) or the proxies' CIDRs (e.g. 10.0.0.0/8,fd00::/8)`,
        });
        return z.NEVER;
      }
    });

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
      "Failed authentications a minute one client address (the forwarded client behind TRUST_PROXY) may make; past it, its further failures answer 429 until the minute ends, while a valid key still gets through (per replica).",
    ),
  TRUST_PROXY: trustProxy().describe(
    "Reverse proxies in front of the gateway, as Express's `trust proxy`: a hop count (`1`: one proxy) or comma-separated CIDRs of the proxies. The client address is then taken from X-Forwarded-For (the auth-failure throttle counts per client). Off (`false`): the TCP peer is the client and X-Forwarded-For is ignored. `true` is refused.",
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
