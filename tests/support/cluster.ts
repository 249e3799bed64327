import { randomBytes } from "node:crypto";
import { topology } from "@hookrail/contracts";
import { createScratchDatabase } from "@hookrail/event-store";
import {
  prepareInfrastructure,
  type ServiceName,
  type ServiceProcess,
  spawnService,
} from "@hookrail/launcher";
import { createLogger } from "@hookrail/observability";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./ports.js";

export const NATS_URL = "nats://127.0.0.1:4222";
export const PG_BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface ClusterOptions {
  /** Extra environment for every service (e.g. DELIVERY_RETRY_SCHEDULE). */
  env?: Record<string, string>;
  services?: readonly ServiceName[];
  nodeArgs?: string[];
}

export interface Cluster {
  gatewayUrl: string;
  adminKey: string;
  databaseUrl: string;
  prefix: string;
  opsPorts: Record<ServiceName, number>;
  processes: Map<ServiceName, ServiceProcess>;
  /** Every line each service wrote, for assertions on logs. */
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
  const adminKey = `hr_test_${randomBytes(16).toString("hex")}`;
  const names = options.services ?? (["gateway", "processor", "notifier"] as const);
  const gatewayPort = await freePort();
  const opsPorts = {
    gateway: await freePort(),
    processor: await freePort(),
    notifier: await freePort(),
    "backup-agent": await freePort(),
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NATS_URL,
    NATS_PREFIX: prefix,
    DATABASE_URL: scratch.url,
    ADMIN_API_KEY: adminKey,
    PORT: String(gatewayPort),
    DELIVERY_ALLOWED_CIDRS: "127.0.0.0/8",
    DELIVERY_RETRY_SCHEDULE: "300ms,300ms,300ms",
    RETRY_POLL_INTERVAL: "100ms",
    // Tests hammer the admin API from one address: limits are off unless a test sets them.
    RATE_LIMIT_API_KEY_PER_SECOND: "0",
    AUTH_FAILURES_PER_MINUTE: "1000000",
    SECRETS_ENCRYPTION_KEYS: `v1:${randomBytes(32).toString("base64")}`,
    LOG_LEVEL: "info",
    ...options.env,
  };
  const silent = createLogger({ service: "test", level: "warn" });
  await prepareInfrastructure(
    {
      NATS_URL: [NATS_URL],
      NATS_PREFIX: prefix,
      DATABASE_URL: scratch.url,
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: 1,
    },
    silent,
  );
  const processes = new Map<ServiceName, ServiceProcess>();
  const logs = new Map<ServiceName, string[]>();
  const start = async (name: ServiceName) => {
    const lines = logs.get(name) ?? [];
    logs.set(name, lines);
    const p = spawnService(name, {
      env: { ...env, METRICS_PORT: String(opsPorts[name]) },
      opsPort: opsPorts[name],
      onLine: (line) => lines.push(line),
      nodeArgs: options.nodeArgs,
    });
    processes.set(name, p);
    try {
      await p.ready();
    } catch (error) {
      throw new Error(`${name} did not become ready:\n${lines.slice(-20).join("\n")}`, {
        cause: error,
      });
    }
    return p;
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
