import { describe, expect, it } from "vitest";
import { defaultRetryBackoffMs } from "./index.js";

describe("defaultRetryBackoffMs", () => {
  it("doubles from 500 ms with ±20% jitter", () => {
    expect([0, 0.5, 1].map((r) => defaultRetryBackoffMs(1, () => r))).toEqual([400, 500, 600]);
    expect(defaultRetryBackoffMs(2, () => 0.5)).toBe(1000);
    expect(defaultRetryBackoffMs(5, () => 0.5)).toBe(8000);
  });

  it("never exceeds 30 s", () => {
    expect(defaultRetryBackoffMs(7, () => 0)).toBe(25_600);
    expect(defaultRetryBackoffMs(7, () => 1)).toBe(30_000);
    expect(defaultRetryBackoffMs(1000, () => 0.5)).toBe(30_000);
  });
});
