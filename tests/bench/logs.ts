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

/**
 * Counts, as they are written, the pino lines at warn level or above in each service's log, and
 * any line not from pino. Lines are looked at and dropped, never kept: a run writes hundreds of
 * thousands, and keeping them grew the runner's heap with every webhook: the runner is also the
 * load generator, and it was slowed most while it loaded the one gateway whose lines it kept.
 */
export class LogWatch {
  readonly #found = new Map<string, LogProblems & { seen: Set<string> }>();

  /** One line `service` wrote. */
  line(service: string, line: string): void {
    const level = levelOf(line);
    if (level < WARN) return;
    let found = this.#found.get(service);
    if (!found) {
      found = { warnings: 0, errors: 0, samples: [], seen: new Set() };
      this.#found.set(service, found);
    }
    if (level === WARN) found.warnings++;
    else found.errors++;
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 200);
    if (!found.seen.has(msg) && found.seen.size < 5) {
      found.seen.add(msg);
      found.samples.push(line.slice(0, 500));
    }
  }

  /** The services that logged a warning or worse, with counts and samples. */
  problems(): Record<string, LogProblems> {
    return Object.fromEntries(
      [...this.#found].map(([service, { warnings, errors, samples }]) => [
        service,
        { warnings, errors, samples: [...samples] },
      ]),
    );
  }
}
