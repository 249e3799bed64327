import { randomBytes } from "node:crypto";
import {
  prepareInfrastructure,
  type ServiceName,
  type ServiceProcess,
  spawnService,
} from "@hookrail/launcher";
import { createLogger } from "@hookrail/observability";

// The parts every test harness that runs the services as processes shares: their environment,
// the streams and schema they need, and starting one and waiting until it is ready. The
// harnesses differ in lifecycle (tests/support/cluster.ts on the machine's NATS; the infra and
// backup harnesses on a NATS server of their own, the backup one restartable).

export interface Stores {
  natsUrl: string;
  prefix: string;
  databaseUrl: string;
}

/** A fresh bootstrap API key, unique per cluster. */
export const testAdminKey = () => `hr_test_${randomBytes(16).toString("hex")}`;

/**
 * What every test service runs with: its stores, the bootstrap key, deliveries allowed to
 * loopback subscribers on a compressed retry schedule, and admin-API limits off (tests hammer
 * the API from one address) unless `extra` sets them.
 */
export function serviceEnv(
  stores: Stores,
  o: { adminKey: string; gatewayPort: number; extra?: Record<string, string> },
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    NATS_URL: stores.natsUrl,
    NATS_PREFIX: stores.prefix,
    DATABASE_URL: stores.databaseUrl,
    ADMIN_API_KEY: o.adminKey,
    PORT: String(o.gatewayPort),
    DELIVERY_ALLOWED_CIDRS: "127.0.0.0/8",
    DELIVERY_RETRY_SCHEDULE: "300ms,300ms,300ms",
    RETRY_POLL_INTERVAL: "100ms",
    RATE_LIMIT_API_KEY_PER_SECOND: "0",
    AUTH_FAILURES_PER_MINUTE: "1000000",
    SECRETS_ENCRYPTION_KEYS: `v1:${randomBytes(32).toString("base64")}`,
    LOG_LEVEL: "info",
    ...o.extra,
  };
}

/** Declares the streams, consumers and schema the services expect, as `pnpm start` does. */
export async function prepareStores(stores: Stores): Promise<void> {
  await prepareInfrastructure(
    {
      NATS_URL: [stores.natsUrl],
      NATS_PREFIX: stores.prefix,
      DATABASE_URL: stores.databaseUrl,
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: 1,
    },
    createLogger({ service: "test", level: "warn" }),
  );
}

/**
 * Spawns one service and waits until its /readyz answers; if it never does, the error carries the
 * last lines it wrote. Every line goes to `lines`; `spawned` sees the process at once, so that a
 * caller can stop it even when it never becomes ready.
 */
export async function startService(
  name: ServiceName,
  o: {
    env: Record<string, string>;
    opsPort: number;
    lines: string[];
    /** Sees every line; given, `lines` keeps only those written before the service was ready. */
    onLine?: (line: string) => void;
    nodeArgs?: string[];
    spawned?: (p: ServiceProcess) => void;
  },
): Promise<ServiceProcess> {
  let ready = false;
  const p = spawnService(name, {
    env: { ...o.env, METRICS_PORT: String(o.opsPort) },
    opsPort: o.opsPort,
    onLine: (line) => {
      o.onLine?.(line);
      if (!o.onLine || !ready) o.lines.push(line);
    },
    nodeArgs: o.nodeArgs,
  });
  o.spawned?.(p);
  try {
    await p.ready();
    ready = true;
  } catch (error) {
    throw new Error(`${name} did not become ready:\n${o.lines.slice(-20).join("\n")}`, {
      cause: error,
    });
  }
  return p;
}
