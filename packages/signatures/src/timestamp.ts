import { fail, type VerifyFailure } from "./result.js";

// Canonical decimal only: the signed text is the header text, so "017" and "17" must not both pass.
const UNIX_SECONDS = /^(?:0|[1-9][0-9]{0,14})$/;

/** Parses a unix-seconds timestamp written in canonical decimal, or undefined. */
export function parseUnixSeconds(text: string): number | undefined {
  return UNIX_SECONDS.test(text) ? Number(text) : undefined;
}

/**
 * Refuses with `stale_timestamp` when `seconds` is more than `toleranceSeconds` before or after
 * `now`. Both directions: a timestamp from the future is as suspect as an old one.
 */
export function checkFreshness(
  seconds: number,
  now: Date,
  toleranceSeconds: number,
): VerifyFailure | undefined {
  // Whole seconds, as the providers' own libraries compare.
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - seconds);
  if (skew <= toleranceSeconds) return undefined;
  return fail(
    "stale_timestamp",
    `signed timestamp ${seconds} is ${skew}s from now; at most ${toleranceSeconds}s is accepted`,
  );
}
