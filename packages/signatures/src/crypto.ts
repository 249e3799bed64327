import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * True when `a` and `b` hold the same bytes, in time that depends only on their length.
 * Unequal lengths are answered first, because `crypto.timingSafeEqual` throws on them.
 */
export function timingSafeEqualBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** An HMAC key given as the base64 text of its bytes (a Standard Webhooks secret). */
export interface Base64Key {
  base64: string;
}

/**
 * HMAC-SHA256 of the concatenation of `parts` (strings as UTF-8) under `key`: a string is used as
 * its UTF-8 bytes, a `Base64Key` as the bytes it encodes.
 *
 * Keys reach `createHmac` as strings on purpose: for a Buffer key Node 24 first asks whether it is
 * a KeyObject or a CryptoKey, and each answer "no" is a caught TypeError with a stack trace, which
 * made preparing the key cost four times the HMAC of a 1 KiB body. Strings skip those checks.
 */
export function hmacSha256(key: string | Base64Key, ...parts: (string | Buffer)[]): Buffer {
  const mac =
    typeof key === "string"
      ? createHmac("sha256", key)
      : createHmac("sha256", key.base64, { encoding: "base64" });
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** SHA-256 of `data`, hex. */
export function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** True when any of `candidates` equals any of `expected`, each comparison constant-time. */
export function anyMatch(candidates: readonly Buffer[], expected: readonly Buffer[]): boolean {
  let matched = false;
  // No early exit: how long this takes should not say which secret or signature matched.
  for (const c of candidates)
    for (const e of expected) matched = timingSafeEqualBytes(c, e) || matched;
  return matched;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
// eslint-disable-next-line security/detect-unsafe-regex -- linear: fixed-width groups, no overlap between repetitions; tests/security/regex-safety.test.ts
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes a hex SHA-256 digest, or undefined when `text` is not exactly 64 hex digits.
 * Checked first because `Buffer.from(x, "hex")` silently stops at the first bad character.
 */
export function decodeHexDigest(text: string): Buffer | undefined {
  return SHA256_HEX.test(text) ? Buffer.from(text, "hex") : undefined;
}

/** Decodes canonical, padded base64, or undefined when `text` is not that. */
export function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, "base64") : undefined;
}

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after an optional `whsec_` prefix,
 * checked to be canonical, padded and not empty. Throws on a secret that is not that, because
 * that is a configuration bug, not a property of a request.
 */
export function standardWebhooksKey(secret: string): Base64Key {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) {
    throw new TypeError("a Standard Webhooks secret must be base64, optionally prefixed whsec_");
  }
  return { base64: encoded };
}
