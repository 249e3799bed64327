import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_SCHEDULE,
  nextAttemptDelay,
  parseRetrySchedule,
  retryAfterDelay,
} from "./index.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe("parseRetrySchedule", () => {
  it("parses durations in order, to milliseconds", () => {
    expect(parseRetrySchedule("5s,5m,30m,2h,5h,10h,10h")).toEqual([
      5 * S,
      5 * M,
      30 * M,
      2 * H,
      5 * H,
      10 * H,
      10 * H,
    ]);
    expect(parseRetrySchedule(" 500ms , 1d, 250, 1.5s")).toEqual([500, 24 * H, 250, 1500]);
  });

  it.each([
    ["", /empty/],
    ["5s,,5m", /entry 2 \(""\)/],
    ["5s,5x", /entry 2 \("5x"\) is not a positive duration/],
    ["0s", /entry 1 \("0s"\)/],
    ["-5s", /entry 1/],
    ["five seconds", /entry 1/],
  ])("refuses %j with a message naming the entry", (text, message) => {
    expect(() => parseRetrySchedule(text)).toThrow(message);
  });

  it("documents the default's total: 75 h 35 min 5 s, about three days", () => {
    const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
    const total = schedule.reduce((sum, ms) => sum + ms, 0);
    expect(schedule).toHaveLength(9);
    expect(total).toBe(75 * H + 35 * M + 5 * S);
    expect(total / (24 * H)).toBeCloseTo(3.15, 2);
    // With ±20% jitter on every step the last attempt lands between 2.5 and 3.8 days out.
    expect((total * 1.2) / (24 * H)).toBeLessThan(3.8);
    expect((total * 0.8) / (24 * H)).toBeGreaterThan(2.5);
  });
});

describe("nextAttemptDelay", () => {
  const schedule = [5 * S, 5 * M, 30 * M];

  it("waits schedule[n-1] after attempt n failed, within ±20%", () => {
    for (let i = 0; i < 1000; i++) {
      const delay = nextAttemptDelay(schedule, 2);
      expect(delay).toBeGreaterThanOrEqual(0.8 * 5 * M);
      expect(delay).toBeLessThanOrEqual(1.2 * 5 * M);
    }
  });

  it("spreads delays across the jitter window, exactly as the random source says", () => {
    expect(nextAttemptDelay(schedule, 1, () => 0)).toBe(4000);
    expect(nextAttemptDelay(schedule, 1, () => 0.5)).toBe(5000);
    expect(nextAttemptDelay(schedule, 1, () => 0.999_999)).toBe(6000);
    const samples = Array.from({ length: 1000 }, () => nextAttemptDelay(schedule, 1) ?? 0);
    expect(Math.min(...samples)).toBeLessThan(4200);
    expect(Math.max(...samples)).toBeGreaterThan(5800);
  });

  it("returns null once the schedule is exhausted: schedule.length + 1 attempts in all", () => {
    expect(nextAttemptDelay(schedule, 3, () => 0.5)).toBe(30 * M);
    expect(nextAttemptDelay(schedule, 4)).toBeNull();
    expect(nextAttemptDelay([], 1)).toBeNull();
  });

  it("throws on attempt numbers that do not count from 1", () => {
    expect(() => nextAttemptDelay(schedule, 0)).toThrow(RangeError);
    expect(() => nextAttemptDelay(schedule, 1.5)).toThrow(RangeError);
  });
});

describe("retryAfterDelay", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const clamp = { min: 1 * S, max: 1 * H };

  it("reads delay-seconds", () => {
    expect(retryAfterDelay("7", now, clamp)).toBe(7 * S);
    expect(retryAfterDelay(" 120 ", now, clamp)).toBe(120 * S);
  });

  it("reads the three HTTP-date forms, measured from now", () => {
    expect(retryAfterDelay("Sun, 01 Mar 2026 12:00:30 GMT", now, clamp)).toBe(30 * S);
    expect(retryAfterDelay("Sunday, 01-Mar-26 12:01:00 GMT", now, clamp)).toBe(60 * S);
    expect(retryAfterDelay("Sun Mar  1 12:02:00 2026", now, clamp)).toBe(120 * S);
  });

  it("clamps to [min, max], including dates in the past", () => {
    expect(retryAfterDelay("0", now, clamp)).toBe(1 * S);
    expect(retryAfterDelay("31536000", now, clamp)).toBe(1 * H);
    expect(retryAfterDelay("Sun, 01 Mar 2026 11:00:00 GMT", now, clamp)).toBe(1 * S);
    expect(retryAfterDelay("Mon, 01 Mar 2027 12:00:00 GMT", now, clamp)).toBe(1 * H);
  });

  it("returns undefined for an absent or malformed header", () => {
    for (const value of [undefined, "", "soon", "-5", "1.5", "2026-03-01", "Sun, 99 Mar 2026"]) {
      expect(retryAfterDelay(value, now, clamp)).toBeUndefined();
    }
  });

  it("throws when min exceeds max", () => {
    expect(() => retryAfterDelay("1", now, { min: 10, max: 1 })).toThrow(RangeError);
  });
});
