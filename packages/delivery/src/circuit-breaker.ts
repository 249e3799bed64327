/** Settings of the per-endpoint circuit breakers. */
export interface CircuitSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the first opening lasts; each failed probe doubles it, up to `maxOpenMs`. */
  openMs: number;
  maxOpenMs: number;
}

export const DEFAULT_CIRCUIT: CircuitSettings = {
  failureThreshold: 5,
  openMs: 30_000,
  maxOpenMs: 600_000,
};

type State =
  | { kind: "closed"; failures: number }
  | { kind: "open"; until: number; openMs: number }
  | { kind: "half-open"; openMs: number; probing: boolean };

/** What the breaker says about an attempt now: make it, or wait until `retryAt`. */
export type CircuitDecision = { allowed: true } | { allowed: false; retryAt: number };

/**
 * One circuit breaker per subscription. Closed, attempts flow; after `failureThreshold`
 * consecutive failures it opens and attempts wait; when the wait is over one probe goes
 * (half-open): success closes it, failure opens it again for twice as long.
 * The clock is injected, so tests are exact.
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, State>();

  constructor(
    private readonly settings: CircuitSettings = DEFAULT_CIRCUIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Asks before an attempt; an allowed half-open probe must be followed by `record`. */
  decide(key: string): CircuitDecision {
    const state = this.circuits.get(key);
    if (!state || state.kind === "closed") return { allowed: true };
    if (state.kind === "open") {
      if (this.now() < state.until) return { allowed: false, retryAt: state.until };
      this.circuits.set(key, { kind: "half-open", openMs: state.openMs, probing: true });
      return { allowed: true };
    }
    if (state.probing) return { allowed: false, retryAt: this.now() + 1_000 };
    state.probing = true;
    return { allowed: true };
  }

  /** Records an attempt's result. */
  record(key: string, succeeded: boolean): void {
    const state = this.circuits.get(key) ?? { kind: "closed", failures: 0 };
    if (succeeded) {
      this.circuits.delete(key);
      return;
    }
    if (state.kind === "half-open") {
      const openMs = Math.min(state.openMs * 2, this.settings.maxOpenMs);
      this.circuits.set(key, { kind: "open", until: this.now() + openMs, openMs });
      return;
    }
    if (state.kind === "open") return;
    const failures = state.failures + 1;
    if (failures >= this.settings.failureThreshold) {
      this.circuits.set(key, {
        kind: "open",
        until: this.now() + this.settings.openMs,
        openMs: this.settings.openMs,
      });
    } else {
      this.circuits.set(key, { kind: "closed", failures });
    }
  }

  /** For metrics and tests: the state's name. */
  stateOf(key: string): "closed" | "open" | "half-open" {
    return this.circuits.get(key)?.kind ?? "closed";
  }
}
