import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The environment of the programs the backup runs (pg_dump, pg_restore, nats-server): this
 * process's own, so PATH and libpq's PG* settings apply, plus what the caller adds.
 */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/**
 * The nats-server binary for level-3 verification: the first on PATH, else where Debian installs
 * it (/usr/sbin, which is not on an unprivileged user's PATH), else the bare name.
 */
export function findNatsServer(): string {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, "nats-server");
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a PATH entry joined with a fixed name; only existence is checked
    if (existsSync(candidate)) return candidate;
  }
  return "nats-server";
}
