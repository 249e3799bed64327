import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * True when `a` and `b` hold the same bytes, in time that depends only on their length.
 * Unequal lengths are answered first, because `crypto.timingSafeEqual` throws on them.
 */
export function timingSafeEqualBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** HMAC-SHA256 of the concatenation of `parts` (strings as UTF-8) under `key`. */
export function hmacSha256(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac("sha256", key);
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
 * The HMAC key of a Standard Webhooks secret: the base64 after an optional `whsec_` prefix.
 * Throws on a secret that is not base64 or is empty, because that is a configuration bug,
 * not a property of a request.
 */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const key = decodeBase64(encoded);
  if (key === undefined || key.length === 0) {
    throw new TypeError("a Standard Webhooks secret must be base64, optionally prefixed whsec_");
  }
  return key;
}
