import { randomBytes } from "node:crypto";
import { topology } from "@hookrail/contracts";
import { createScratchDatabase } from "@hookrail/event-store";
import type { ServiceName, ServiceProcess } from "@hookrail/launcher";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./ports.js";
import { prepareStores, serviceEnv, startService, testAdminKey } from "./services.js";

export const NATS_URL = "nats://127.0.0.1:4222";
export const PG_BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface ClusterOptions {
  /** Extra environment for every service (e.g. DELIVERY_RETRY_SCHEDULE). */
  env?: Record<string, string>;
  services?: readonly ServiceName[];
  nodeArgs?: string[];
  /**
   * Receives every line the services write, which are then not kept in `logs` (beyond what a
   * service wrote before it was ready): for runs too long to hold every line, a benchmark's.
   */
  onLine?: (service: ServiceName, line: string) => void;
}

export interface Cluster {
  gatewayUrl: string;
  adminKey: string;
  databaseUrl: string;
  prefix: string;
  opsPorts: Record<ServiceName, number>;
  processes: Map<ServiceName, ServiceProcess>;
  /** Every line each service wrote, for assertions on logs (unless `onLine` was given). */
  logs: Map<ServiceName, string[]>;
  env: Record<string, string>;
  start(name: ServiceName): Promise<ServiceProcess>;
  stop(): Promise<Record<string, number | null>>;
  /** Stops the services and removes the database and streams. */
  destroy(): Promise<void>;
}

/**
 * Starts the services as real processes against the machine's NATS and Postgres, isolated by a
 * fresh database and a fresh stream prefix, on free ports.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const prefix = `t${randomBytes(4).toString("hex")}`;
  const scratch = await createScratchDatabase(PG_BASE_URL, `hookrail_e2e_${prefix}`);
  const adminKey = testAdminKey();
  const names = options.services ?? (["gateway", "processor", "notifier"] as const);
  const gatewayPort = await freePort();
  const opsPorts = {
    gateway: await freePort(),
    processor: await freePort(),
    notifier: await freePort(),
    "backup-agent": await freePort(),
  };
  const stores = { natsUrl: NATS_URL, prefix, databaseUrl: scratch.url };
  const env = serviceEnv(stores, { adminKey, gatewayPort, extra: options.env });
  await prepareStores(stores);
  const processes = new Map<ServiceName, ServiceProcess>();
  const logs = new Map<ServiceName, string[]>();
  const start = async (name: ServiceName) => {
    const lines = logs.get(name) ?? [];
    logs.set(name, lines);
    return startService(name, {
      env,
      opsPort: opsPorts[name],
      lines,
      ...(options.onLine ? { onLine: (line: string) => options.onLine?.(name, line) } : {}),
      nodeArgs: options.nodeArgs,
      spawned: (p) => processes.set(name, p),
    });
  };
  await Promise.all(names.map(start));
  const stop = async () => {
    const codes: Record<string, number | null> = {};
    await Promise.all([...processes].map(async ([name, p]) => (codes[name] = await p.stop())));
    return codes;
  };
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    adminKey,
    databaseUrl: scratch.url,
    prefix,
    opsPorts,
    processes,
    logs,
    env,
    start,
    stop,
    destroy: async () => {
      await stop();
      await scratch.drop();
      await deleteStreams(prefix);
    },
  };
}

async function deleteStreams(prefix: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    for (const s of Object.values(topology(prefix).streams)) {
      await jsm.streams.delete(s.name).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}
