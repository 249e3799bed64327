import { anyMatch, decodeBase64, decodeHexDigest, hmacSha256, sha256Hex } from "./crypto.js";
import { readHeaders } from "./headers.js";
import { accept, fail, type VerifierInput, type VerifyResult } from "./result.js";

const PREFIX = /^sha256=/i;

/**
 * Verifies a generic HMAC-SHA256 webhook: the header `options.signatureHeader` carries the
 * HMAC-SHA256 of the body, keyed by the secret's UTF-8 bytes, in `options.encoding` (hex or
 * base64), with an optional `sha256=` prefix. The delivery id is the `options.deliveryIdHeader`
 * value when configured and present, else `sha256:<hex SHA-256 of the body>`, so an identical
 * resend deduplicates. The event type is the `options.eventTypeHeader` value, else `webhook`.
 * No timestamp is signed, so there is no freshness check.
 */
export function verifyHmacSha256(input: VerifierInput): VerifyResult {
  const { options } = input;
  const read = readHeaders(input.headers, [
    options.signatureHeader,
    options.deliveryIdHeader,
    options.eventTypeHeader,
  ]);
  if (!read.ok) return read;
  const [signature, deliveryId, eventType] = read.values;
  if (signature === undefined) {
    return fail("missing_signature", `${options.signatureHeader} is missing`);
  }

  const text = signature.replace(PREFIX, "");
  const given = options.encoding === "hex" ? decodeHexDigest(text) : decodeBase64(text);
  if (given === undefined) {
    return fail("bad_signature", `${options.signatureHeader} is not a ${options.encoding} digest`);
  }
  const expected = input.secrets.map((secret) => hmacSha256(secret, input.body));
  if (!anyMatch([given], expected)) {
    return fail("bad_signature", `${options.signatureHeader} does not match the body`);
  }
  return accept(deliveryId ?? `sha256:${sha256Hex(input.body)}`, eventType ?? "webhook");
}
