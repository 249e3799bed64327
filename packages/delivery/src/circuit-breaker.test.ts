import { describe, expect, it } from "vitest";
import { CircuitBreakers } from "./circuit-breaker.js";
import { KeyedLimiter } from "./limiter.js";

describe("CircuitBreakers", () => {
  const setup = () => {
    let now = 1_000_000;
    const breakers = new CircuitBreakers(
      { failureThreshold: 3, openMs: 10_000, maxOpenMs: 25_000 },
      () => now,
    );
    const advance = (ms: number) => {
      now += ms;
    };
    return { breakers, advance, now: () => now };
  };

  it("opens after consecutive failures, and a success in between resets the count", () => {
    const { breakers } = setup();
    breakers.record("a", false);
    breakers.record("a", false);
    breakers.record("a", true);
    breakers.record("a", false);
    breakers.record("a", false);
    expect(breakers.decide("a")).toEqual({ allowed: true });
    breakers.record("a", false);
    expect(breakers.stateOf("a")).toBe("open");
    expect(breakers.decide("a")).toEqual({ allowed: false, retryAt: 1_010_000 });
    expect(breakers.decide("b")).toEqual({ allowed: true });
  });

  it("lets one probe through when the wait is over; success closes it", () => {
    const { breakers, advance } = setup();
    for (let i = 0; i < 3; i++) breakers.record("a", false);
    advance(10_000);
    expect(breakers.decide("a")).toEqual({ allowed: true });
    expect(breakers.stateOf("a")).toBe("half-open");
    expect(breakers.decide("a").allowed).toBe(false); // one probe at a time
    breakers.record("a", true);
    expect(breakers.stateOf("a")).toBe("closed");
    expect(breakers.decide("a")).toEqual({ allowed: true });
  });

  it("reopens for twice as long after a failed probe, capped", () => {
    const { breakers, advance, now } = setup();
    for (let i = 0; i < 3; i++) breakers.record("a", false);
    advance(10_000);
    breakers.decide("a");
    breakers.record("a", false);
    expect(breakers.decide("a")).toEqual({ allowed: false, retryAt: now() + 20_000 });
    advance(20_000);
    breakers.decide("a");
    breakers.record("a", false);
    expect(breakers.decide("a")).toEqual({ allowed: false, retryAt: now() + 25_000 });
  });
});

describe("KeyedLimiter", () => {
  it("runs at most `limit` tasks per key at once, and other keys independently", async () => {
    const limiter = new KeyedLimiter(2);
    let running = 0;
    let peak = 0;
    const task = () =>
      limiter.run("a", async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
      });
    let other = 0;
    await Promise.all([
      ...Array.from({ length: 10 }, task),
      limiter.run("b", async () => {
        other += 1;
      }),
    ]);
    expect(peak).toBe(2);
    expect(other).toBe(1);
  });

  it("releases the slot when a task throws", async () => {
    const limiter = new KeyedLimiter(1);
    await expect(limiter.run("a", async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    await expect(limiter.run("a", async () => 42)).resolves.toBe(42);
  });
});
