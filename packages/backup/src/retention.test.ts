import { describe, expect, it } from "vitest";
import { planRetention, type RetentionCandidate } from "./retention.js";

const H = 3_600_000;
const start = Date.parse("2026-11-01T00:00:00Z"); // a Sunday

/** A backup every 6 hours for `days` days, ids in time order. */
function every6h(
  days: number,
  verified: (i: number) => boolean = () => true,
): RetentionCandidate[] {
  return Array.from({ length: days * 4 }, (_, i) => ({
    id: `b${String(i).padStart(3, "0")}`,
    createdAt: new Date(start + i * 6 * H),
    verified: verified(i),
  }));
}

describe("planRetention", () => {
  it("keeps the newest N, the newest of each of D days and of each of W weeks", () => {
    const all = every6h(28); // b000 (Nov 1 00:00) … b111 (Nov 28 18:00)
    const plan = planRetention(all, { keepLast: 3, keepDaily: 4, keepWeekly: 3 });
    const kept = [...plan.keep.keys()].sort();
    expect(kept).toEqual(
      [
        "b087", // weekly: newest of the week Mon Nov 16 - Sun Nov 22 (Nov 22 18:00)
        "b099", // daily: Nov 25
        "b103", // daily: Nov 26
        "b107", // daily: Nov 27
        "b109",
        "b110",
        "b111", // last 3; also the newest of Sat Nov 28 and of the week Nov 23-29
        "b059", // weekly: newest of the week Nov 9-15 (Nov 15 18:00)
      ].sort(),
    );
    expect(plan.keep.get("b111")).toEqual(["last", "daily", "weekly"]);
    expect(plan.prune).toHaveLength(all.length - kept.length);
  });

  it("prunes nothing until a backup has verified", () => {
    const plan = planRetention(
      every6h(3, () => false),
      { keepLast: 1, keepDaily: 1, keepWeekly: 0 },
    );
    expect(plan.prune).toEqual([]);
    expect(plan.keep.size).toBe(12);
  });

  it("keeps what is newer than the newest verified backup, and never prunes it", () => {
    // The last two are not verified (one pending, one failed): the newest verified is b009.
    const all = every6h(3, (i) => i < 10);
    const plan = planRetention(all, { keepLast: 1, keepDaily: 0, keepWeekly: 0 });
    expect([...plan.keep.keys()].sort()).toEqual(["b009", "b010", "b011"]);
    expect(plan.keep.get("b011")).toEqual(["unverified-newer"]);
    const newestVerified = Date.parse(all[9]?.createdAt.toISOString() ?? "");
    for (const id of plan.prune)
      expect(all.find((c) => c.id === id)?.createdAt.getTime()).toBeLessThan(newestVerified);
  });

  it("counts only verified backups toward the limits, and keeps at least the newest verified", () => {
    const all = every6h(2, (i) => i % 2 === 0); // b000, b002, b004, b006 verified
    const plan = planRetention(all, { keepLast: 0, keepDaily: 0, keepWeekly: 0 });
    expect([...plan.keep.keys()]).toEqual(["b007", "b006"]);
  });
});
