/**
 * The default redelivery delay for a message whose handler failed on delivery `deliveryCount`:
 * 500 ms · 2^(n-1), spread ±20% so a burst of failures does not come back as a burst, and never
 * more than 30 s. `random` is injectable so tests are exact.
 */
export function defaultRetryBackoffMs(
  deliveryCount: number,
  random: () => number = Math.random,
): number {
  return jittered(500, 30_000, deliveryCount, random);
}

/** Delay before the consume loop retries after its own failure number `failures` (1-based). */
export function loopBackoffMs(failures: number, random: () => number = Math.random): number {
  return jittered(200, 10_000, failures, random);
}

function jittered(baseMs: number, capMs: number, n: number, random: () => number): number {
  const exponent = Math.max(0, Math.min(n - 1, 30));
  return Math.round(Math.min(capMs, baseMs * 2 ** exponent * (0.8 + 0.4 * random())));
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
