import { HmacOptions, type ProviderName } from "@hookrail/contracts";
import { verifyAlertmanager } from "./alertmanager.js";
import { verifyGithub } from "./github.js";
import { verifyHmacSha256 } from "./hmac.js";
import { fail, type VerifierInput, type VerifyInput, type VerifyResult } from "./result.js";
import { verifyStandardWebhooks } from "./standard-webhooks.js";
import { verifyStripe } from "./stripe.js";

/**
 * The providers whose signature covers the body (every one but `alertmanager`, whose sender can
 * only present a bearer token): for these, any change to the body is refused.
 */
export const BODY_SIGNING_PROVIDERS = [
  "github",
  "stripe",
  "standard-webhooks",
  "hmac-sha256",
] as const satisfies readonly ProviderName[];

/** Default distance allowed between a signed timestamp and now (Standard Webhooks, Stripe). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

// The limits of WebhookReceivedMessage in @hookrail/contracts: refusing here gives the sender a
// clear 4xx instead of a message the gateway could not publish.
const MAX_DELIVERY_ID_LENGTH = 512;
const MAX_EVENT_TYPE_LENGTH = 256;

const DEFAULT_HMAC_OPTIONS = HmacOptions.parse({});

const verifiers: Record<ProviderName, (input: VerifierInput) => VerifyResult> = {
  github: verifyGithub,
  stripe: verifyStripe,
  "standard-webhooks": verifyStandardWebhooks,
  "hmac-sha256": verifyHmacSha256,
  alertmanager: verifyAlertmanager,
};

/**
 * Checks that a webhook was signed by its provider with one of `secrets`, over exactly `body`,
 * recently enough (for providers that sign a timestamp), and returns its delivery id and event
 * type. Every expected refusal is a value (`{ ok: false, error }`); comparisons of signatures
 * are constant-time over decoded bytes. Never reads the clock: `now` is the time.
 *
 * Throws only on caller bugs: no secrets, an empty or (Standard Webhooks) non-base64 secret, a
 * negative tolerance, or an unknown provider.
 */
export function verifyWebhook(input: VerifyInput): VerifyResult {
  const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (input.secrets.length === 0 || input.secrets.some((s) => s === "")) {
    throw new TypeError("verifyWebhook needs at least one non-empty secret");
  }
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError(`toleranceSeconds must be a non-negative number, got ${toleranceSeconds}`);
  }
  const verifier = verifiers[input.provider];
  if (verifier === undefined) throw new TypeError(`unknown provider ${String(input.provider)}`);

  const result = verifier({
    headers: input.headers,
    body: input.body,
    secrets: input.secrets,
    now: input.now,
    options: input.options ?? DEFAULT_HMAC_OPTIONS,
    toleranceSeconds,
  });
  if (!result.ok) return result;
  if (result.deliveryId.length > MAX_DELIVERY_ID_LENGTH) {
    return fail("malformed_payload", `delivery id is longer than ${MAX_DELIVERY_ID_LENGTH}`);
  }
  if (result.eventType.length > MAX_EVENT_TYPE_LENGTH) {
    return fail("malformed_payload", `event type is longer than ${MAX_EVENT_TYPE_LENGTH}`);
  }
  // Refused before the 202: Postgres can never store such text (`text` holds no NUL, `jsonb` no
  // `\u0000` and no unpaired surrogate), so once accepted the webhook could only be dead-lettered.
  if (!storable(result.deliveryId)) {
    return fail("malformed_payload", "delivery id holds NUL or an unpaired UTF-16 surrogate");
  }
  if (!storable(result.eventType)) {
    return fail("malformed_payload", "event type holds NUL or an unpaired UTF-16 surrogate");
  }
  return result;
}

/** Text Postgres can store: well-formed UTF-16 (no unpaired surrogate) without NUL. */
function storable(text: string): boolean {
  return text.isWellFormed() && !text.includes("\0");
}
