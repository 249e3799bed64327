import { describe, expect, it } from "vitest";
import { MemoryLeaseStore, RateLimiter } from "./limiter.js";

describe("RateLimiter", () => {
  it("lets exactly `limit` through per second for one replica, then 429s until the next second", async () => {
    let now = 5_000;
    const limiter = new RateLimiter(new MemoryLeaseStore(), () => now);
    const results = await Promise.all(Array.from({ length: 150 }, () => limiter.take("k", 100)));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    expect(results.find((r) => !r.allowed)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(await limiter.take("k", 100)).toEqual({ allowed: true });
  });

  it("holds the combined limit across replicas sharing a store, within a chunk each", async () => {
    const now = () => 7_000;
    const store = new MemoryLeaseStore();
    const a = new RateLimiter(store, now);
    const b = new RateLimiter(store, now);
    let allowed = 0;
    for (let i = 0; i < 300; i++) {
      if ((await (i % 2 ? a : b).take("k", 100)).allowed) allowed += 1;
    }
    expect(allowed).toBeLessThanOrEqual(100);
    expect(allowed).toBeGreaterThanOrEqual(90);
  });

  it("fails open, to the limit of one window, when the shared store cannot be written", async () => {
    const broken = { add: async () => Promise.reject(new Error("read-only transaction")) };
    const limiter = new RateLimiter(broken, () => 3_000);
    const results = await Promise.all(Array.from({ length: 12 }, () => limiter.take("k", 10)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it("keeps keys apart, and a limit of 0 means no limit", async () => {
    const limiter = new RateLimiter(new MemoryLeaseStore(), () => 1_000);
    for (let i = 0; i < 3; i++) await limiter.take("a", 3);
    expect((await limiter.take("a", 3)).allowed).toBe(false);
    expect((await limiter.take("b", 3)).allowed).toBe(true);
    expect((await limiter.take("c", 0)).allowed).toBe(true);
  });

  it("leases in chunks: few store writes for many requests", async () => {
    const store = new MemoryLeaseStore();
    let writes = 0;
    const counting = {
      add: (k: string, w: number, n: number) => {
        writes += 1;
        return store.add(k, w, n);
      },
    };
    const limiter = new RateLimiter(counting, () => 9_000);
    for (let i = 0; i < 1000; i++) await limiter.take("k", 2000);
    expect(writes).toBe(10); // 1000 requests / chunks of 100
  });
});

describe("FailureThrottle", () => {
  it("refuses a client after `limit` failures until the minute ends", async () => {
    const { FailureThrottle } = await import("./failure-throttle.js");
    let now = 120_000;
    const throttle = new FailureThrottle(3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.blockedFor("1.2.3.4")).toBeUndefined();
      throttle.recordFailure("1.2.3.4");
    }
    now += 15_000;
    expect(throttle.blockedFor("1.2.3.4")).toBe(45);
    expect(throttle.blockedFor("5.6.7.8")).toBeUndefined();
    now += 45_000;
    expect(throttle.blockedFor("1.2.3.4")).toBeUndefined();
  });
});
