import fc from "fast-check";

// Generators shared by the HTTP fuzzers: only what HTTP lets a client send (Node refuses CR, LF
// and NUL in header values before anything leaves), but everything within that.

const fromCodes = (min: number, max: number) =>
  fc.integer({ min, max }).map((c) => String.fromCharCode(c));

/** A character legal in a header value: HTAB, visible ASCII and space, obs-text (0x80-0xFF). */
export const headerChar = fc.oneof(
  { weight: 1, arbitrary: fc.constant("\t") },
  { weight: 12, arbitrary: fromCodes(0x20, 0x7e) },
  { weight: 2, arbitrary: fromCodes(0x80, 0xff) },
);

/** A header value; `trimmed` drops leading and trailing SP/HTAB, which HTTP does not carry. */
export const headerValue = (maxLength = 200, trimmed = false) =>
  fc
    .string({ unit: headerChar, minLength: trimmed ? 1 : 0, maxLength })
    .map((s) => (trimmed ? s.replace(/^[ \t]+|[ \t]+$/g, "") : s))
    .filter((s) => !trimmed || s.length > 0);

/** An HTTP token (RFC 9110 §5.6.2), as header names must be. */
export const token = (maxLength = 40) =>
  fc.string({
    unit: fc.constantFrom(
      ..."!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-",
    ),
    minLength: 1,
    maxLength,
  });

// Names the client or the framing owns; a fuzzer setting them only tests Node's client.
const FRAMING = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "expect",
  "upgrade",
  "te",
  "trailer",
  "content-type",
  "content-encoding",
]);

/** 0-6 extra headers with random names and values, none of `avoid` (lowercase) or framing. */
export const extraHeaders = (avoid: readonly string[] = []) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(
          token(),
          fc.constantFrom(
            "x-request-id",
            "traceparent",
            "tracestate",
            "baggage",
            "authorization",
            "x-forwarded-for",
            "accept-encoding",
            "cookie",
            "x-hub-signature",
            "stripe-signature",
            "webhook-signature",
          ),
        ),
        fc.oneof(
          { weight: 9, arbitrary: headerValue(120) },
          { weight: 1, arbitrary: headerValue(4000) },
        ),
      ),
      { maxLength: 6 },
    )
    .map((pairs) => {
      const out: Record<string, string> = {};
      for (const [name, value] of pairs) {
        const lower = name.toLowerCase();
        if (FRAMING.has(lower) || avoid.includes(lower)) continue;
        if (Object.keys(out).some((k) => k.toLowerCase() === lower)) continue;
        out[name] = value;
      }
      return out;
    });

/** Content types: JSON ones the ingest accepts, near misses, and junk. */
export const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/vnd.github+json",
    "application/cloudevents+json; charset=UTF-8",
    "application/json;charset=utf-16",
    "application/jsonx",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/+json",
    "application/json\t;",
    "",
  ),
  headerValue(80),
);

/** Content encodings: the ones the body parser inflates, and ones it cannot. */
export const contentEncoding = fc.constantFrom(
  "identity",
  "gzip",
  "deflate",
  "br",
  "zstd",
  "gzip, gzip",
  "x-gzip",
  "compress",
  "bogus",
);

/** `arb` about one time in seven, else undefined (fc.option's `freq` counts the other way). */
export const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/** A JSON text of any shape, or bytes that are not JSON at all. */
export const anyBody = fc.oneof(
  { weight: 4, arbitrary: fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: "binary", maxLength: 256 }).map((s) => Buffer.from(s)),
  },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 40_000 })
      .map((depth) => Buffer.from(`${"[".repeat(depth)}${"]".repeat(depth)}`)),
  },
);

/** A path segment an attacker might try: traversal, unicode, junk, very long, odd encodings. */
export const hostileSegment = fc.oneof(
  token(64),
  fc.constantFrom(
    "..",
    "../..",
    "..%2f..%2fapi%2fv1%2fsources",
    "%2e%2e%2f%2e%2e",
    "....//....//",
    "%00",
    "%E0%A4%A",
    "%zz",
    "%",
    "src_%F0%9F%92%A5",
    "src_\u00e9\u00ff",
    "%C0%AE%C0%AE",
    "~",
    "a;b=c",
    "*",
  ),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: fromCodes(0x21, 0xff), minLength: 1, maxLength: 40 }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => "a".repeat(n)),
);

/** Decodes a path the way Express will; undefined when that throws (a malformed %-escape). */
export function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path.split("?")[0] ?? "");
  } catch {
    return undefined;
  }
}
