/** The User-Agent of every outbound webhook. */
export const USER_AGENT = "Hookrail-Webhooks/1.0";

// Names a caller may not set: framing and hop-by-hop headers would let one corrupt the request
// or the pooled connection, and the rest are set by dispatch itself (a second value would make
// the signature or content type ambiguous to the receiver).
const FORBIDDEN = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "content-type",
  "user-agent",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
]);

// RFC 9110 §5.6.2 token, and the field-value bytes Node itself accepts (no CR, LF or NUL).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Checks the extra headers of a delivery (e.g. `X-Request-Id`) and returns them with lowercase
 * names. Throws a TypeError on a caller bug: a name that is not an HTTP token, a forbidden name
 * (`host`, `content-length`, `transfer-encoding`, `connection`, `keep-alive`, `upgrade`, `te`,
 * `trailer`, `expect`, `content-type`, `user-agent`, `webhook-*`, `proxy-*`), the same name
 * twice, or a value with CR, LF or another control character (header injection).
 */
export function checkExtraHeaders(
  headers: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name))
      throw new TypeError(`header name ${JSON.stringify(name)} is not a token`);
    if (FORBIDDEN.has(lower) || lower.startsWith("proxy-")) {
      throw new TypeError(`header ${name} is set by dispatch or by HTTP itself, not by callers`);
    }
    if (Object.hasOwn(checked, lower)) throw new TypeError(`header ${name} is given twice`);
    checkHeaderValue(name, value);
    // eslint-disable-next-line security/detect-object-injection -- lower passed the token and Object.hasOwn checks and the value is a string: no prototype can change
    checked[lower] = value;
  }
  return checked;
}

/** Throws a TypeError when `value` could not be sent as the value of header `name` as it is. */
export function checkHeaderValue(name: string, value: string): void {
  if (typeof value !== "string" || !FIELD_VALUE.test(value)) {
    throw new TypeError(`header ${name} has a value with CR, LF or another control character`);
  }
}
