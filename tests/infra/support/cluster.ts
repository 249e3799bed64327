import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "@hookrail/event-store";
import {
  prepareInfrastructure,
  type ServiceName,
  type ServiceProcess,
  spawnService,
} from "@hookrail/launcher";
import { createLogger } from "@hookrail/observability";
import { PG_BASE_URL } from "../../support/cluster.js";
import { freePort } from "../../support/ports.js";

/**
 * tests/support/cluster.ts's startCluster, against a NATS server of the caller's choosing (that
 * one hard-codes the machine's shared NATS, which a broker fault must not touch). Services are
 * real processes on free ports, on a fresh database and stream prefix; the backup agent, when
 * asked for, backs up into a temporary directory.
 */
export interface InfraCluster {
  gatewayUrl: string;
  adminKey: string;
  prefix: string;
  /** The ops port of each service started. */
  opsPorts: Partial<Record<ServiceName, number>>;
  processes: Map<ServiceName, ServiceProcess>;
  logs: Map<ServiceName, string[]>;
  start(name: ServiceName): Promise<ServiceProcess>;
  /** Stops the services and drops the database (the streams go with the NATS server). */
  destroy(): Promise<void>;
}

export async function startInfraCluster(options: {
  natsUrl: string;
  services?: readonly ServiceName[];
  env?: Record<string, string>;
}): Promise<InfraCluster> {
  const prefix = `i${randomBytes(4).toString("hex")}`;
  const scratch = await createScratchDatabase(PG_BASE_URL, `hookrail_infra_${prefix}`);
  const backupDir = mkdtempSync(join(tmpdir(), "hookrail-infra-backups-"));
  const adminKey = `hr_test_${randomBytes(16).toString("hex")}`;
  const names = options.services ?? (["gateway", "processor", "notifier"] as const);
  const gatewayPort = await freePort();
  const opsPorts: Partial<Record<ServiceName, number>> = {};
  for (const name of names) opsPorts[name] = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NATS_URL: options.natsUrl,
    NATS_PREFIX: prefix,
    DATABASE_URL: scratch.url,
    ADMIN_API_KEY: adminKey,
    PORT: String(gatewayPort),
    DELIVERY_ALLOWED_CIDRS: "127.0.0.0/8",
    DELIVERY_RETRY_SCHEDULE: "300ms,300ms,300ms",
    RETRY_POLL_INTERVAL: "100ms",
    // As tests/support's clusters: admin-API limits off, secrets sealed under a fresh key.
    RATE_LIMIT_API_KEY_PER_SECOND: "0",
    AUTH_FAILURES_PER_MINUTE: "1000000",
    SECRETS_ENCRYPTION_KEYS: `v1:${randomBytes(32).toString("base64")}`,
    BACKUP_DIR: backupDir,
    LOG_LEVEL: "info",
    ...options.env,
  };
  await prepareInfrastructure(
    {
      NATS_URL: [options.natsUrl],
      NATS_PREFIX: prefix,
      DATABASE_URL: scratch.url,
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: 1,
    },
    createLogger({ service: "test", level: "warn" }),
  );
  const processes = new Map<ServiceName, ServiceProcess>();
  const logs = new Map<ServiceName, string[]>();
  const start = async (name: ServiceName) => {
    const opsPort = opsPorts[name];
    if (opsPort === undefined) throw new Error(`${name} is not one of this cluster's services`);
    const lines = logs.get(name) ?? [];
    logs.set(name, lines);
    const p = spawnService(name, {
      env: { ...env, METRICS_PORT: String(opsPort) },
      opsPort,
      onLine: (line) => lines.push(line),
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
  const cleanUp = async () => {
    await Promise.all([...processes.values()].map((p) => p.stop(10_000)));
    await scratch.drop();
    rmSync(backupDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(names.map(start));
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    adminKey,
    prefix,
    opsPorts,
    processes,
    logs,
    start,
    destroy: cleanUp,
  };
}
