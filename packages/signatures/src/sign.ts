import { randomBytes } from "node:crypto";
import { hmacSha256, standardWebhooksKey } from "./crypto.js";

/**
 * The headers of a webhook signed the Standard Webhooks way. A type, not an interface, so that it
 * is also a `HeaderBag`.
 */
export type StandardWebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/**
 * Signs an outbound webhook the Standard Webhooks way: one `v1,<base64>` per secret, space
 * separated, over `<id>.<timestamp>.<body>`. Sign with both the old and the new secret during a
 * rotation, so a receiver holding either accepts it. `body` must be the exact bytes sent.
 *
 * Throws on caller bugs: no secrets, a secret that is not `whsec_`-prefixed (or bare) base64, a
 * timestamp that is not whole non-negative seconds, or an empty id.
 */
export function signStandardWebhook(input: {
  id: string;
  timestamp: number;
  body: string | Buffer;
  secrets: readonly string[];
}): StandardWebhookHeaders {
  const { id, timestamp, body, secrets } = input;
  if (secrets.length === 0) throw new TypeError("signStandardWebhook needs at least one secret");
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be whole unix seconds, got ${timestamp}`);
  }
  if (id === "") throw new TypeError("signStandardWebhook needs a non-empty webhook id");
  const signatures = secrets.map(
    (secret) =>
      `v1,${hmacSha256(standardWebhooksKey(secret), `${id}.${timestamp}.`, body).toString("base64")}`,
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

/**
 * A new signing secret: `whsec_` followed by the base64 of 32 random bytes, the form the Standard
 * Webhooks spec asks for (24–64 bytes). Use one per subscriber endpoint.
 */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}
