import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "@hookrail/event-store";
import type { ServiceName, ServiceProcess } from "@hookrail/launcher";
import { PG_BASE_URL } from "../../support/cluster.js";
import { freePort } from "../../support/ports.js";
import { prepareStores, serviceEnv, startService, testAdminKey } from "../../support/services.js";

/**
 * Like tests/support/cluster.ts's startCluster, against a NATS server of the caller's choosing
 * (that one uses the machine's shared NATS, which a broker fault must not touch), and with ops
 * ports for the services started only (the alerting harness scrapes each of them). Services are
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
  const adminKey = testAdminKey();
  const names = options.services ?? (["gateway", "processor", "notifier"] as const);
  const gatewayPort = await freePort();
  const opsPorts: Partial<Record<ServiceName, number>> = {};
  for (const name of names) opsPorts[name] = await freePort();
  const stores = { natsUrl: options.natsUrl, prefix, databaseUrl: scratch.url };
  const env = serviceEnv(stores, {
    adminKey,
    gatewayPort,
    extra: { BACKUP_DIR: backupDir, ...options.env },
  });
  await prepareStores(stores);
  const processes = new Map<ServiceName, ServiceProcess>();
  const logs = new Map<ServiceName, string[]>();
  const start = async (name: ServiceName) => {
    const opsPort = opsPorts[name];
    if (opsPort === undefined) throw new Error(`${name} is not one of this cluster's services`);
    const lines = logs.get(name) ?? [];
    logs.set(name, lines);
    return startService(name, { env, opsPort, lines, spawned: (p) => processes.set(name, p) });
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
