import { describe, expect, it } from "vitest";
import { CronError, nextCronTime, parseCron } from "./cron.js";

const next = (expr: string, after: string) =>
  nextCronTime(parseCron(expr), new Date(after)).toISOString();

describe("cron", () => {
  it("steps through minutes and hours", () => {
    expect(next("*/15 * * * *", "2026-11-29T10:07:30Z")).toBe("2026-11-29T10:15:00.000Z");
    expect(next("*/15 * * * *", "2026-11-29T10:45:00Z")).toBe("2026-11-29T11:00:00.000Z");
    expect(next("5/20 * * * *", "2026-11-29T10:26:00Z")).toBe("2026-11-29T10:45:00.000Z");
    expect(next("0 */6 * * *", "2026-11-29T13:00:00Z")).toBe("2026-11-29T18:00:00.000Z");
  });

  it("is strictly after the given time", () => {
    expect(next("0 3 * * *", "2026-11-29T03:00:00Z")).toBe("2026-11-30T03:00:00.000Z");
    expect(next("0 3 * * *", "2026-11-29T02:59:59.999Z")).toBe("2026-11-29T03:00:00.000Z");
  });

  it("takes lists, ranges and names, and 7 as Sunday", () => {
    // 2026-11-28 is a Saturday.
    expect(next("30 2 * * mon-fri", "2026-11-28T12:00:00Z")).toBe("2026-11-30T02:30:00.000Z");
    expect(next("0 0 * * 7", "2026-11-28T12:00:00Z")).toBe("2026-11-29T00:00:00.000Z");
    expect(next("0 0 * * sun", "2026-11-28T12:00:00Z")).toBe("2026-11-29T00:00:00.000Z");
    expect(next("0 12 1,15 jan,jul *", "2026-11-28T12:00:00Z")).toBe("2027-01-01T12:00:00.000Z");
  });

  it("runs on a day matching either day field when both are restricted", () => {
    // The 13th, or any Friday: Friday 2026-12-04 comes before the 13th.
    expect(next("0 0 13 * fri", "2026-11-29T00:00:00Z")).toBe("2026-12-04T00:00:00.000Z");
    // Only the day of month restricted: weekdays do not matter.
    expect(next("0 0 13 * *", "2026-11-29T00:00:00Z")).toBe("2026-12-13T00:00:00.000Z");
  });

  it("finds leap days, accepts macros, and refuses an expression that never matches", () => {
    expect(next("0 0 29 2 *", "2026-03-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(next("@daily", "2026-11-29T10:00:00Z")).toBe("2026-11-30T00:00:00.000Z");
    expect(next("@weekly", "2026-11-29T10:00:00Z")).toBe("2026-12-06T00:00:00.000Z");
    expect(() => next("0 0 30 2 *", "2026-01-01T00:00:00Z")).toThrow(/never matches/);
  });

  it("names the bad field", () => {
    const error = (expr: string) => {
      try {
        parseCron(expr);
      } catch (e) {
        expect(e).toBeInstanceOf(CronError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(error("* * * *")).toMatch(/has 4 fields; cron needs 5/);
    expect(error("60 * * * *")).toBe('minute "60" is not in 0-59');
    expect(error("5-1 * * * *")).toBe('bad range in minute "5-1"');
    expect(error("*/0 * * * *")).toBe('bad step in minute "*/0"');
    expect(error("0 0 * * funday")).toBe('day of week "funday" is not in 0-7');
    expect(error("0 0 * 13 *")).toBe('month "13" is not in 1-12');
  });
});
