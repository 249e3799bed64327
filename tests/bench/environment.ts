import { availableParallelism, cpus } from "node:os";
import { openDatabase } from "@hookrail/event-store";
import { connect } from "@nats-io/transport-node";
import { sql } from "kysely";

/** The machine and versions a run was measured on, as the results should say. */
export interface Environment {
  node: string;
  pnpm: string;
  natsServer: string;
  postgres: string;
  cpus: number;
  cpuModel: string;
}

export async function describeEnvironment(natsUrl: string, databaseUrl: string) {
  const nc = await connect({ servers: natsUrl });
  const natsServer = nc.info?.version ?? "unknown";
  await nc.close();
  const store = openDatabase({ url: databaseUrl, poolSize: 1, applicationName: "bench" });
  try {
    const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(store.db);
    return {
      node: process.version,
      // pnpm sets this for the scripts it runs: "pnpm/10.34.9 npm/? node/v24… linux x64".
      pnpm: /pnpm\/(\S+)/.exec(process.env.npm_config_user_agent ?? "")?.[1] ?? "unknown",
      natsServer,
      postgres: rows[0]?.server_version ?? "unknown",
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? "unknown",
    } satisfies Environment;
  } finally {
    await store.close();
  }
}
