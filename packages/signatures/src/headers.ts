import { fail, type HeaderBag, type VerifyFailure } from "./result.js";

/** Longest header value we read. Legitimate signature and id headers are far shorter. */
export const MAX_HEADER_BYTES = 8 * 1024;

export type HeaderValues = { ok: true; values: (string | undefined)[] } | VerifyFailure;

/**
 * Reads `names` from `headers`, case-insensitively, in order. A repeated header counts by its
 * first value, an empty one counts as absent, and an undefined name (an optional header that is
 * not configured) reads as absent. Refuses with `malformed_payload` when a value is over 8 KiB,
 * so an oversized header costs no HMAC work.
 */
export function readHeaders(
  headers: HeaderBag,
  names: readonly (string | undefined)[],
): HeaderValues {
  const values: (string | undefined)[] = [];
  for (const name of names) {
    if (name === undefined) {
      values.push(undefined);
      continue;
    }
    const value = firstValue(lookup(headers, name.toLowerCase()));
    if (value !== undefined && Buffer.byteLength(value, "utf8") > MAX_HEADER_BYTES) {
      return fail("malformed_payload", `header ${name} is longer than ${MAX_HEADER_BYTES} bytes`);
    }
    values.push(value === "" ? undefined : value);
  }
  return { ok: true, values };
}

function lookup(headers: HeaderBag, lower: string): string | string[] | undefined {
  // eslint-disable-next-line security/detect-object-injection -- guarded by Object.hasOwn on the same line, so nothing inherited is ever read
  if (Object.hasOwn(headers, lower)) return headers[lower];
  // Node lowercases names, but callers building a bag by hand (tests, replays) may not.
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
