import { execFileSync } from "node:child_process";
import { availableParallelism, cpus } from "node:os";
import { openDatabase } from "@hookrail/event-store";
import { connect } from "@nats-io/transport-node";
import { sql } from "kysely";

/** The machine and versions a run was measured on, as the results should say. */
export interface Environment {
  /** The commit measured, with "+dirty" when the work tree had changes. */
  commit: string;
  node: string;
  pnpm: string;
  natsServer: string;
  postgres: string;
  cpus: number;
  cpuModel: string;
  /** Share of CPU busy in the second before the services started: other work skews the figures. */
  busyBeforePercent: number;
}

export async function describeEnvironment(
  natsUrl: string,
  databaseUrl: string,
  busyBeforePercent: number,
): Promise<Environment> {
  const nc = await connect({ servers: natsUrl });
  const natsServer = nc.info?.version ?? "unknown";
  await nc.close();
  const store = openDatabase({ url: databaseUrl, poolSize: 1, applicationName: "bench" });
  try {
    const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(store.db);
    return {
      commit: gitCommit(),
      node: process.version,
      // pnpm sets this for the scripts it runs: "pnpm/10.34.9 npm/? node/v24… linux x64".
      pnpm: /pnpm\/(\S+)/.exec(process.env.npm_config_user_agent ?? "")?.[1] ?? "unknown",
      natsServer,
      postgres: rows[0]?.server_version ?? "unknown",
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? "unknown",
      busyBeforePercent,
    };
  } finally {
    await store.close();
  }
}

function gitCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain") ? "+dirty" : ""}`;
  } catch {
    return "unknown";
  }
}

/** How busy the CPUs are over the next `ms`, in percent of all of them. */
export async function cpuBusyPercent(ms = 1000): Promise<number> {
  const total = () =>
    cpus().reduce(
      (sum, c) => {
        const t = c.times;
        return {
          busy: sum.busy + t.user + t.nice + t.sys + t.irq,
          all: sum.all + t.user + t.nice + t.sys + t.irq + t.idle,
        };
      },
      { busy: 0, all: 0 },
    );
  const before = total();
  await new Promise((r) => setTimeout(r, ms));
  const after = total();
  return (100 * (after.busy - before.busy)) / (after.all - before.all || 1);
}
