import { anyMatch, decodeBase64, hmacSha256, standardWebhooksKey } from "./crypto.js";
import { readHeaders } from "./headers.js";
import { accept, fail, type VerifierInput, type VerifyResult } from "./result.js";
import { checkFreshness, parseUnixSeconds } from "./timestamp.js";

/**
 * Verifies a Standard Webhooks request (standardwebhooks.com): `webhook-signature` is a
 * space-separated list of `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`,
 * keyed by the base64-decoded secret (a `whsec_` prefix is stripped). Any `v1` may match; other
 * versions are ignored. The signature is checked before the timestamp, which must then be within
 * the tolerance either way. The delivery id is `webhook-id`; the event type is the body's `type`
 * when the body is JSON with a string `type`, else `webhook`.
 *
 * Throws when a secret is not base64: a configuration bug, not a bad request.
 */
export function verifyStandardWebhooks(input: VerifierInput): VerifyResult {
  const read = readHeaders(input.headers, ["webhook-id", "webhook-timestamp", "webhook-signature"]);
  if (!read.ok) return read;
  const [id, timestamp, signature] = read.values;
  if (signature === undefined) return fail("missing_signature", "webhook-signature is missing");
  if (timestamp === undefined) return fail("missing_signature", "webhook-timestamp is missing");
  // The id is part of the signed content, so without it nothing can be verified.
  if (id === undefined) return fail("missing_delivery_id", "webhook-id is missing");

  const seconds = parseUnixSeconds(timestamp);
  if (seconds === undefined) {
    return fail("bad_signature", "webhook-timestamp is not a unix timestamp in seconds");
  }
  const given = parseSignatures(signature);
  if (given.length === 0)
    return fail("bad_signature", "webhook-signature has no v1,<base64> entry");

  const expected = input.secrets.map((secret) =>
    hmacSha256(standardWebhooksKey(secret), `${id}.${timestamp}.`, input.body),
  );
  if (!anyMatch(given, expected)) {
    return fail("bad_signature", "no v1 signature in webhook-signature matches");
  }
  const stale = checkFreshness(seconds, input.now, input.toleranceSeconds);
  if (stale) return stale;
  return accept(id, eventTypeOf(input.body));
}

function parseSignatures(header: string): Buffer[] {
  const found: Buffer[] = [];
  for (const entry of header.split(" ")) {
    if (!entry.startsWith("v1,")) continue;
    const digest = decodeBase64(entry.slice(3));
    if (digest) found.push(digest);
  }
  return found;
}

function eventTypeOf(body: Buffer): string {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && "type" in parsed) {
      const { type } = parsed;
      if (typeof type === "string" && type !== "") return type;
    }
  } catch {
    // The spec does not require a JSON body; such a webhook simply has no declared type.
  }
  return "webhook";
}
