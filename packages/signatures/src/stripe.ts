import { anyMatch, decodeHexDigest, hmacSha256 } from "./crypto.js";
import { readHeaders } from "./headers.js";
import { accept, fail, type VerifierInput, type VerifyResult } from "./result.js";
import { checkFreshness, parseUnixSeconds } from "./timestamp.js";

/**
 * Verifies a Stripe webhook: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, where each `v1` is
 * the hex HMAC-SHA256 of `<t>.<body>` keyed by the whole secret (`whsec_…`) as UTF-8. Any `v1`
 * may match; other schemes (`v0`) are ignored. The signature is checked before the timestamp, so
 * a forged request reports `bad_signature` however old it claims to be. The delivery id and event
 * type are the body's `id` and `type`.
 */
export function verifyStripe(input: VerifierInput): VerifyResult {
  const read = readHeaders(input.headers, ["stripe-signature"]);
  if (!read.ok) return read;
  const [header] = read.values;
  if (header === undefined) return fail("missing_signature", "Stripe-Signature is missing");

  const parsed = parseStripeSignature(header);
  if (parsed === undefined) {
    return fail("bad_signature", "Stripe-Signature has no t=<unix seconds> or no v1=<hex>");
  }
  const expected = input.secrets.map((secret) => hmacSha256(secret, `${parsed.t}.`, input.body));
  if (!anyMatch(parsed.v1, expected)) {
    return fail("bad_signature", "no v1 signature in Stripe-Signature matches the body");
  }
  const stale = checkFreshness(parsed.seconds, input.now, input.toleranceSeconds);
  if (stale) return stale;
  return readEvent(input.body);
}

interface StripeSignature {
  /** The timestamp exactly as sent, since that text is what was signed. */
  t: string;
  seconds: number;
  v1: Buffer[];
}

function parseStripeSignature(header: string): StripeSignature | undefined {
  let t: string | undefined;
  const v1: Buffer[] = [];
  for (const item of header.split(",")) {
    const at = item.indexOf("=");
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (key === "t" && t === undefined) t = value;
    if (key === "v1") {
      // A v1 that is not a hex digest can never match; skipping it keeps the others usable.
      const digest = decodeHexDigest(value);
      if (digest) v1.push(digest);
    }
  }
  const seconds = t === undefined ? undefined : parseUnixSeconds(t);
  if (t === undefined || seconds === undefined || v1.length === 0) return undefined;
  return { t, seconds, v1 };
}

function readEvent(body: Buffer): VerifyResult {
  let event: unknown;
  try {
    event = JSON.parse(body.toString("utf8"));
  } catch {
    return fail("malformed_payload", "a Stripe event body must be JSON");
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return fail("malformed_payload", "a Stripe event body must be a JSON object");
  }
  const { id, type } = event as { id?: unknown; type?: unknown };
  if (typeof id !== "string" || id === "") {
    return fail("missing_delivery_id", "the Stripe event has no string id");
  }
  return accept(id, typeof type === "string" && type !== "" ? type : "webhook");
}
