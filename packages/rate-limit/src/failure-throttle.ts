/**
 * Counts failures (bad API keys) per client in fixed one-minute windows; past `limit` the client
 * is refused until the window ends. Per process: it slows a guesser down, and each replica only
 * multiplies the allowance by the replica count.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { window: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait if `client` is throttled now, else undefined. */
  blockedFor(client: string): number | undefined {
    const w = this.windows.get(client);
    const window = Math.floor(this.now() / 60_000);
    if (!w || w.window !== window || w.failures < this.limit) return undefined;
    return Math.max(1, Math.ceil(((window + 1) * 60_000 - this.now()) / 1000));
  }

  recordFailure(client: string): void {
    const window = Math.floor(this.now() / 60_000);
    const w = this.windows.get(client);
    if (w && w.window === window) w.failures += 1;
    else this.windows.set(client, { window, failures: 1 });
    if (this.windows.size > 100_000) {
      for (const [k, v] of this.windows) if (v.window !== window) this.windows.delete(k);
    }
  }
}
