import { type CronExpression, nextCronTime } from "./cron.js";

/** When backups run: every interval, or at the times of a cron expression. */
export type Schedule =
  | { kind: "interval"; everyMs: number }
  | { kind: "cron"; cron: CronExpression };

/**
 * When the next backup is due, given the start of the last good one. A missed run (the agent
 * was down) is due at once; so is the first, when there is no good backup at all.
 */
export function nextRunAt(schedule: Schedule, lastGood: Date | undefined, now: Date): Date {
  if (!lastGood) return now;
  const due =
    schedule.kind === "interval"
      ? new Date(lastGood.getTime() + schedule.everyMs)
      : nextCronTime(schedule.cron, lastGood);
  return due.getTime() < now.getTime() ? now : due;
}

/** A schedule in words, for logs. */
export const describeSchedule = (s: Schedule): string =>
  s.kind === "interval" ? `every ${s.everyMs / 1000} s` : `cron "${s.cron.source}" (UTC)`;
