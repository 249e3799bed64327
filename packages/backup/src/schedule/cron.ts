/**
 * A 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
 * Fields take `*`, numbers, ranges `a-b`, steps (`a-b/n`, `a/n`, and `*` followed by `/n`), lists
 * `a,b`, and month and weekday names (`jan`, `mon`); weekday 0 and 7 are Sunday. `@hourly`, `@daily`, `@weekly`,
 * `@monthly` and `@yearly` are accepted. As in Vixie cron, when both day fields are restricted
 * a day matching either runs.
 */
export interface CronExpression {
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

export class CronError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronError";
  }
}

const MACROS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesFrom?: number;
}
const FIELDS: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: "day of week", min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

/** Parses a cron expression; throws a CronError naming the bad field. */
export function parseCron(text: string): CronExpression {
  const source = text.trim();
  const expanded = MACROS[source.toLowerCase()] ?? source;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5)
    throw new CronError(
      `"${source}" has ${parts.length} fields; cron needs 5 (minute hour day month weekday)`,
    );
  // eslint-disable-next-line security/detect-object-injection -- i indexes one of the 5 cron fields, counted just above
  const sets = parts.map((p, i) => parseField(p, FIELDS[i] as FieldSpec));
  const daysOfWeek = new Set([...(sets[4] as Set<number>)].map((d) => (d === 7 ? 0 : d)));
  return {
    source,
    minutes: sets[0] as Set<number>,
    hours: sets[1] as Set<number>,
    daysOfMonth: sets[2] as Set<number>,
    months: sets[3] as Set<number>,
    daysOfWeek,
    dayOfMonthRestricted: !parts[2]?.startsWith("*"),
    dayOfWeekRestricted: !parts[4]?.startsWith("*"),
  };
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const item of text.toLowerCase().split(",")) {
    // eslint-disable-next-line security/detect-unsafe-regex -- linear: no two quantifiers can match the same text; tests/security/regex-safety.test.ts
    const m = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m?.[1]) throw new CronError(`bad ${spec.name} "${item}"`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new CronError(`bad step in ${spec.name} "${item}"`);
    let lo = spec.min;
    let hi = spec.max;
    if (m[1] !== "*") {
      const [a, b] = m[1].split("-");
      lo = value(a as string, spec);
      hi = b === undefined ? (m[2] === undefined ? lo : spec.max) : value(b, spec);
    }
    if (lo > hi) throw new CronError(`bad range in ${spec.name} "${item}"`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function value(token: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(token) ?? -1;
  const n = /^\d+$/.test(token) ? Number(token) : named >= 0 ? named + (spec.namesFrom ?? 0) : NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max)
    throw new CronError(`${spec.name} "${token}" is not in ${spec.min}-${spec.max}`);
  return n;
}

function dayMatches(cron: CronExpression, t: Date): boolean {
  const dom = cron.daysOfMonth.has(t.getUTCDate());
  const dow = cron.daysOfWeek.has(t.getUTCDay());
  if (cron.dayOfMonthRestricted && cron.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}

/** The first minute strictly after `after` that the expression matches (UTC). */
export function nextCronTime(cron: CronExpression, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  // Jump by month, day, hour and minute; five years bound the search for "never" (Feb 30).
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(cron, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!cron.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!cron.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else return t;
  }
  throw new CronError(`"${cron.source}" never matches`);
}
