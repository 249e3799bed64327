import { nextRunAt, type Schedule } from "./schedule.js";

export interface SchedulerOptions {
  schedule: Schedule;
  /** Start of the last good (verified) backup, read before each wait. */
  lastGood: () => Promise<Date | undefined>;
  /** Runs one backup; resolves true when it succeeded. Must not throw (a throw counts as false). */
  run: () => Promise<boolean>;
  /** After a failure, the next attempt waits this long (rather than the whole interval). */
  retryAfterMs: number;
  now?: () => Date;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told each time the next run is decided. */
  onPlanned?: (at: Date) => void;
}

// Timers are capped (setTimeout holds 24.8 days at most); waking hourly also follows clock jumps.
const MAX_WAIT_MS = 3_600_000;

/** Runs backups on the schedule until stopped; a run in progress finishes before stop resolves. */
export function startScheduler(options: SchedulerOptions): {
  stop(): Promise<void>;
  done: Promise<void>;
} {
  const abort = new AbortController();
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const loop = async () => {
    let failedAt: Date | undefined;
    let lastOk: Date | undefined;
    while (!abort.signal.aborted) {
      let at = nextRunAt(options.schedule, later(await options.lastGood(), lastOk), now());
      if (failedAt && at.getTime() < failedAt.getTime() + options.retryAfterMs)
        at = new Date(failedAt.getTime() + options.retryAfterMs);
      options.onPlanned?.(at);
      const wait = at.getTime() - now().getTime();
      if (wait > 0) {
        await sleep(Math.min(wait, MAX_WAIT_MS), abort.signal);
        continue; // re-plan: the wait may have been cut short, or capped
      }
      const startedAt = now();
      const ok = await options.run().catch(() => false);
      failedAt = ok ? undefined : now();
      if (ok) lastOk = startedAt;
    }
  };
  const done = loop();
  return {
    done,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a || !b) return a ?? b;
  return a.getTime() >= b.getTime() ? a : b;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
