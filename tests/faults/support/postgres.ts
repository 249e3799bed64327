import { existsSync } from "node:fs";
import { chown, readFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../../support/ports.js";
import { forgetDaemon, killQuietly, run, trackDaemon } from "./processes.js";

// Debian's PostgreSQL 15; /usr/local/bin holds links to the same binaries on this machine.
const BIN_DIRS = [process.env.PG_BIN, "/usr/lib/postgresql/15/bin", "/usr/local/bin"];
const binDir = BIN_DIRS.find((d) => d && existsSync(join(d, "pg_ctl"))) ?? "/usr/local/bin";

// Postgres refuses to run as root: as root, every command runs as the `postgres` OS user.
const asRoot = process.getuid?.() === 0;

async function postgresOsUser(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile("/etc/passwd", "utf8");
  const line = passwd.split("\n").find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (!uid || !gid) throw new Error("running as root needs a `postgres` OS user for initdb");
  return { uid: Number(uid), gid: Number(gid) };
}

function pg(tool: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const file = join(binDir, tool);
  return asRoot
    ? run("runuser", ["-u", "postgres", "--", file, ...args], { timeoutMs })
    : run(file, args, { timeoutMs });
}

/**
 * A PostgreSQL cluster of this suite's own (initdb in a temp dir, its own port, trust auth on
 * 127.0.0.1) that a case may crash, restart or make read-only. The machine's shared Postgres is
 * never touched.
 */
export class PostgresServer {
  readonly url: string;
  readonly #data: string;
  readonly #log: string;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    this.#data = join(dir, "data");
    this.#log = join(dir, "postgres.log");
  }

  /** initdb and start, in `dir` (an empty directory the caller removes afterwards). */
  static async start(dir: string): Promise<PostgresServer> {
    if (asRoot) {
      const { uid, gid } = await postgresOsUser();
      await chown(dir, uid, gid);
    }
    const server = new PostgresServer(dir, await freePort());
    await pg("initdb", ["-D", server.#data, "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8"]);
    await server.#ctl("start");
    await server.#trackPostmaster();
    return server;
  }

  /** `pg_ctl restart -m immediate`: no checkpoint, crash recovery at the next start. */
  async restartImmediate(): Promise<void> {
    const before = await this.#postmasterPid();
    await this.#ctl("restart", ["-m", "immediate"]);
    if (before) forgetDaemon(before);
    await this.#trackPostmaster();
  }

  /** Every new transaction read-only (SQLSTATE 25006 on writes), or writable again. */
  async setReadOnly(on: boolean): Promise<void> {
    // The session itself must be writable to run ALTER SYSTEM once read-only is the default.
    await this.sql([
      "SET default_transaction_read_only = off",
      `ALTER SYSTEM SET default_transaction_read_only = ${on ? "on" : "off"}`,
      "SELECT pg_reload_conf()",
    ]);
  }

  /**
   * Runs SQL with psql as the superuser, each statement in its own transaction (psql runs a
   * multi-statement -c as one); returns the unaligned output.
   */
  sql(statements: string | string[], database = "postgres"): Promise<string> {
    return pg("psql", [
      "-X",
      "-q",
      "-A",
      "-t",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "127.0.0.1",
      "-p",
      String(this.port),
      "-U",
      "postgres",
      "-d",
      database,
      ...[statements].flat().flatMap((s) => ["-c", s]),
    ]);
  }

  /** Stops at once (immediate mode); kills the postmaster by its pid if pg_ctl cannot. */
  async stop(): Promise<void> {
    const pid = await this.#postmasterPid();
    try {
      await pg("pg_ctl", ["-D", this.#data, "-m", "immediate", "-w", "-t", "20", "stop"], 30_000);
    } catch {
      killQuietly(pid, "SIGKILL");
    }
    if (pid) forgetDaemon(pid);
  }

  async #trackPostmaster(): Promise<void> {
    const pid = await this.#postmasterPid();
    if (pid) trackDaemon(pid);
  }

  async #postmasterPid(): Promise<number | undefined> {
    try {
      const first = (await readFile(join(this.#data, "postmaster.pid"), "utf8")).split("\n")[0];
      return first ? Number(first) : undefined;
    } catch {
      return undefined;
    }
  }

  #ctl(action: "start" | "restart", extra: string[] = []): Promise<string> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
    return pg("pg_ctl", [
      "-D",
      this.#data,
      "-l",
      this.#log,
      "-o",
      options,
      ...extra,
      "-w",
      "-t",
      "60",
      action,
    ]);
  }

  /** The server's log, for a failing case's report. */
  async logTail(lines = 30): Promise<string> {
    try {
      return (await readFile(this.#log, "utf8")).split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }
}
