/**
 * The default delays between attempts: the Standard Webhooks example schedule. They sum to
 * 75 h 35 min 5 s (about 3.1 days) before jitter, over 10 attempts.
 */
export const DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h,24h,24h";

/** How far a delay may move either way, so a burst of failures does not retry in lockstep. */
const JITTER = 0.2;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a comma-separated list of durations (`500ms`, `5s`, `5m`, `2h`, `1d`, or bare
 * milliseconds — the grammar of `@hookrail/config`'s `duration()`) into milliseconds, in order.
 * Throws an Error naming the bad entry when the text is empty or an entry is not a positive
 * duration: a retry schedule comes from configuration, and a bad one must stop the service.
 */
export function parseRetrySchedule(text: string): number[] {
  if (text.trim() === "") throw new Error("retry schedule is empty; expected e.g. 5s,5m,30m,2h");
  return text.split(",").map((entry, index) => {
    // eslint-disable-next-line security/detect-unsafe-regex -- linear: the only nested quantifier is behind a literal '.'; tests/security/regex-safety.test.ts
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(entry.trim());
    const ms =
      m?.[1] === undefined ? Number.NaN : Math.round(Number(m[1]) * (units[m[2] ?? "ms"] ?? 1));
    if (!Number.isSafeInteger(ms) || ms <= 0) {
      throw new Error(
        `retry schedule entry ${index + 1} (${JSON.stringify(entry)}) is not a positive duration ` +
          "like 500ms, 5s, 5m, 2h or 1d",
      );
    }
    return ms;
  });
}

/**
 * The delay in milliseconds before attempt `attemptJustFailed + 1`: `schedule[attemptJustFailed
 * - 1]` moved by up to ±20% (`random` is injectable so tests are exact). Returns `null` when the
 * schedule is exhausted, so a delivery gets at most `schedule.length + 1` attempts. Attempts are
 * counted from 1; anything else is a caller bug and throws.
 */
export function nextAttemptDelay(
  schedule: readonly number[],
  attemptJustFailed: number,
  random: () => number = Math.random,
): number | null {
  if (!Number.isSafeInteger(attemptJustFailed) || attemptJustFailed < 1) {
    throw new RangeError(`attemptJustFailed counts from 1, got ${attemptJustFailed}`);
  }
  const base = schedule[attemptJustFailed - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + (random() * 2 - 1) * JITTER));
}

// RFC 9110 §5.6.7: senders use IMF-fixdate, but recipients must also accept the two obsolete
// forms. Anything else is refused rather than handed to Date.parse, which accepts almost anything.
const HTTP_DATE = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * The wait, in milliseconds, that a `Retry-After` header asks for — delay-seconds or an
 * HTTP-date measured from `now` — clamped to `[clampMs.min, clampMs.max]` so that a receiver can
 * neither make us hammer it nor park a delivery for a year. Returns `undefined` when the header
 * is absent or malformed (the caller then uses its schedule). Throws when min > max (a bug).
 */
export function retryAfterDelay(
  headerValue: string | undefined,
  now: Date,
  clampMs: { min: number; max: number },
): number | undefined {
  if (!(clampMs.min >= 0 && clampMs.min <= clampMs.max)) {
    throw new RangeError(`retryAfterDelay needs 0 <= min <= max, got ${JSON.stringify(clampMs)}`);
  }
  const value = headerValue?.trim();
  if (!value) return undefined;
  let delay: number;
  if (/^\d+$/.test(value)) {
    delay = Number(value) * 1000;
  } else if (HTTP_DATE.some((form) => form.test(value))) {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    delay = at - now.getTime();
  } else {
    return undefined;
  }
  return Math.min(clampMs.max, Math.max(clampMs.min, delay));
}
