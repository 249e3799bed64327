/** Where replicas share their counts: grants up to `want` of `limit` tokens of a window. */
export interface LeaseStore {
  /** Adds `want` to the window's count and returns the count after adding. */
  add(key: string, window: number, want: number): Promise<number>;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Local {
  window: number;
  tokens: number;
  exhausted: boolean;
  leasing?: Promise<void>;
}

/**
 * A per-key limit of `limit` per second that holds across gateway replicas. Each replica leases
 * tokens from the shared store in chunks (a twentieth of the limit) and spends them locally, so
 * the store sees one write per chunk, not per request. The shared count never lets more than
 * `limit` through in a window; unspent leases (at most a chunk per replica) are the only slack.
 */
export class RateLimiter {
  private readonly locals = new Map<string, Local>();

  constructor(
    private readonly store: LeaseStore,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string, limit: number): Promise<RateDecision> {
    if (limit <= 0) return { allowed: true };
    for (;;) {
      const window = Math.floor(this.now() / 1000);
      let local = this.locals.get(key);
      if (!local || local.window !== window) {
        local = { window, tokens: 0, exhausted: false };
        this.locals.set(key, local);
        if (this.locals.size > 50_000) this.prune(window);
      }
      if (local.tokens > 0) {
        local.tokens -= 1;
        return { allowed: true };
      }
      if (local.exhausted) return { allowed: false, retryAfterSeconds: 1 };
      // One lease at a time per key: concurrent requests wait for it instead of each leasing.
      local.leasing ??= this.lease(key, local, limit).finally(() => {
        local.leasing = undefined;
      });
      await local.leasing;
    }
  }

  private async lease(key: string, local: Local, limit: number): Promise<void> {
    const want = Math.max(1, Math.ceil(limit / 20));
    let after: number;
    try {
      after = await this.store.add(key, local.window, want);
    } catch {
      // The shared store is down or read-only: fail open for this window (up to the limit in each
      // replica) rather than refuse every webhook because a counter cannot be written.
      local.tokens += limit;
      local.exhausted = true;
      return;
    }
    const granted = Math.max(0, Math.min(want, limit - (after - want)));
    local.tokens += granted;
    if (granted < want) local.exhausted = true;
  }

  private prune(window: number): void {
    for (const [k, v] of this.locals) if (v.window !== window) this.locals.delete(k);
  }
}

/** A store for one process (tests, single replica). */
export class MemoryLeaseStore implements LeaseStore {
  private readonly counts = new Map<string, number>();
  async add(key: string, window: number, want: number): Promise<number> {
    const k = `${key}@${window}`;
    const n = (this.counts.get(k) ?? 0) + want;
    this.counts.set(k, n);
    return n;
  }
}
