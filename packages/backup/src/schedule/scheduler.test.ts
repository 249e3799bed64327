import { describe, expect, it } from "vitest";
import { parseCron } from "./cron.js";
import { nextRunAt, type Schedule } from "./schedule.js";
import { startScheduler } from "./scheduler.js";

const H = 3_600_000;
const at = (iso: string) => new Date(iso);

describe("nextRunAt", () => {
  const every6h: Schedule = { kind: "interval", everyMs: 6 * H };
  const nightly: Schedule = { kind: "cron", cron: parseCron("0 3 * * *") };
  const now = at("2026-11-29T10:00:00Z");

  it("runs at once when there is no good backup", () => {
    expect(nextRunAt(every6h, undefined, now)).toEqual(now);
    expect(nextRunAt(nightly, undefined, now)).toEqual(now);
  });

  it("runs an interval after the last good backup, or now when that is overdue", () => {
    expect(nextRunAt(every6h, at("2026-11-29T08:00:00Z"), now)).toEqual(at("2026-11-29T14:00:00Z"));
    expect(nextRunAt(every6h, at("2026-11-29T01:00:00Z"), now)).toEqual(now);
  });

  it("runs at the next cron time after the last good backup, catching up a missed one", () => {
    expect(nextRunAt(nightly, at("2026-11-29T03:00:05Z"), now)).toEqual(at("2026-11-30T03:00:00Z"));
    // The agent was down at 03:00 today: the missed run happens now.
    expect(nextRunAt(nightly, at("2026-11-28T03:00:05Z"), now)).toEqual(now);
  });
});

describe("startScheduler", () => {
  it("runs on the interval, retries a failure after retryAfter, and stops", async () => {
    let t = at("2026-11-29T00:00:00Z").getTime();
    const runs: string[] = [];
    const outcomes = [true, false, true, true];
    let lastGood: Date | undefined;
    const handle = startScheduler({
      schedule: { kind: "interval", everyMs: 6 * H },
      lastGood: async () => lastGood,
      retryAfterMs: 0.25 * H,
      now: () => new Date(t),
      sleep: async (ms) => {
        t += ms;
      },
      run: async () => {
        runs.push(new Date(t).toISOString());
        t += 60_000; // a backup takes a minute
        const ok = outcomes[runs.length - 1] ?? true;
        if (ok) lastGood = new Date(t - 60_000);
        if (runs.length === outcomes.length) void handle.stop();
        return ok;
      },
    });
    await handle.done;
    expect(runs).toEqual([
      "2026-11-29T00:00:00.000Z", // none yet: at once
      "2026-11-29T06:00:00.000Z", // fails
      "2026-11-29T06:16:00.000Z", // retried 15 min after the failure ended
      "2026-11-29T12:16:00.000Z",
    ]);
  });

  it("does not run back to back when the last good backup is not visible yet", async () => {
    let t = 0;
    const runs: number[] = [];
    const handle = startScheduler({
      schedule: { kind: "interval", everyMs: H },
      lastGood: async () => undefined, // e.g. verification is off, so nothing counts as good
      retryAfterMs: 60_000,
      now: () => new Date(t),
      sleep: async (ms) => {
        t += ms;
      },
      run: async () => {
        runs.push(t);
        if (runs.length === 3) void handle.stop();
        return true;
      },
    });
    await handle.done;
    expect(runs).toEqual([0, H, 2 * H]);
  });
});
