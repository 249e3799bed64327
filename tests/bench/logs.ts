/** Warnings and errors a service logged during a run: a benchmark that passes may still hide them. */
export interface LogProblems {
  warnings: number;
  errors: number;
  /** The first line of each distinct message, a few of them. */
  samples: string[];
}

const WARN = 40;
const LEVELS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** pino's level, as a number or a label; a line that is not pino's counts as a warning. */
function levelOf(line: string): number {
  const m = /^\{.*?"level":(?:(\d+)|"(\w+)")/.exec(line);
  if (!m) return WARN;
  return m[1] ? Number(m[1]) : (LEVELS[m[2] ?? ""] ?? WARN);
}

/** Counts the pino lines at warn level or above in each service's log, and any line not from pino. */
export function logProblems(logs: ReadonlyMap<string, readonly string[]>) {
  const problems: Record<string, LogProblems> = {};
  for (const [service, lines] of logs) {
    const found: LogProblems = { warnings: 0, errors: 0, samples: [] };
    const seen = new Set<string>();
    for (const line of lines) {
      const level = levelOf(line);
      if (level < WARN) continue;
      if (level === WARN) found.warnings++;
      else found.errors++;
      const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 200);
      if (!seen.has(msg) && seen.size < 5) {
        seen.add(msg);
        found.samples.push(line.slice(0, 500));
      }
    }
    if (found.warnings + found.errors > 0) problems[service] = found;
  }
  return problems;
}
