import { anyMatch, decodeHexDigest, hmacSha256 } from "./crypto.js";
import { readHeaders } from "./headers.js";
import { accept, fail, type VerifierInput, type VerifyResult } from "./result.js";

const PREFIX = "sha256=";

/**
 * Verifies a GitHub webhook: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed
 * by the secret's UTF-8 bytes. The delivery id is `X-GitHub-Delivery` (required) and the event
 * type `X-GitHub-Event` (`webhook` when absent). GitHub signs no timestamp, so there is no
 * freshness check; redeliveries are caught by deduplicating on the delivery id.
 */
export function verifyGithub(input: VerifierInput): VerifyResult {
  const read = readHeaders(input.headers, [
    "x-hub-signature-256",
    "x-github-delivery",
    "x-github-event",
  ]);
  if (!read.ok) return read;
  const [signature, deliveryId, eventType] = read.values;
  if (signature === undefined) return fail("missing_signature", "X-Hub-Signature-256 is missing");

  const given = signature.startsWith(PREFIX)
    ? decodeHexDigest(signature.slice(PREFIX.length))
    : undefined;
  if (given === undefined) {
    return fail("bad_signature", "X-Hub-Signature-256 is not sha256=<64 hex digits>");
  }
  const expected = input.secrets.map((secret) => hmacSha256(secret, input.body));
  if (!anyMatch([given], expected)) {
    return fail("bad_signature", "X-Hub-Signature-256 does not match the body");
  }

  if (deliveryId === undefined) return fail("missing_delivery_id", "X-GitHub-Delivery is missing");
  return accept(deliveryId, eventType ?? "webhook");
}
