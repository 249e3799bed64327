import {
  prepareInfrastructure,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceProcess,
  spawnService,
} from "@hookrail/launcher";
import { createLogger } from "@hookrail/observability";
import { freePort } from "../../support/ports.js";

/**
 * gateway, processor and notifier as processes, like tests/support/cluster.ts, but against a
 * NATS and a database the caller chooses (the harness there uses the machine's shared NATS), and
 * restartable: a drill stops them, wipes their stores, and starts them again.
 */
export interface Pipeline {
  gatewayUrl: string;
  adminKey: string;
  env: Record<string, string>;
  logs: Map<ServiceName, string[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createPipeline(options: {
  natsUrl: string;
  databaseUrl: string;
  prefix: string;
}): Promise<Pipeline> {
  const adminKey = `hr_drill_${Math.random().toString(16).slice(2)}${Date.now()}`;
  const gatewayPort = await freePort();
  const opsPorts: Record<ServiceName, number> = {
    gateway: await freePort(),
    processor: await freePort(),
    notifier: await freePort(),
    "backup-agent": await freePort(),
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NATS_URL: options.natsUrl,
    NATS_PREFIX: options.prefix,
    DATABASE_URL: options.databaseUrl,
    ADMIN_API_KEY: adminKey,
    PORT: String(gatewayPort),
    DELIVERY_ALLOWED_CIDRS: "127.0.0.0/8",
    DELIVERY_RETRY_SCHEDULE: "300ms,300ms,300ms",
    RETRY_POLL_INTERVAL: "100ms",
    LOG_LEVEL: "warn",
    OTEL_SDK_DISABLED: "true",
  };
  const logs = new Map<ServiceName, string[]>(SERVICE_NAMES.map((n) => [n, []]));
  let running: ServiceProcess[] = [];
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    adminKey,
    env,
    logs,
    start: async () => {
      await prepareInfrastructure(
        {
          NATS_URL: [options.natsUrl],
          NATS_PREFIX: options.prefix,
          DATABASE_URL: options.databaseUrl,
          LOG_LEVEL: "warn",
          DATABASE_POOL_SIZE: 1,
        },
        createLogger({ service: "drill", level: "warn" }),
      );
      running = SERVICE_NAMES.map((name) =>
        spawnService(name, {
          env: { ...env, METRICS_PORT: String(opsPorts[name]) },
          opsPort: opsPorts[name],
          onLine: (line) => logs.get(name)?.push(line),
        }),
      );
      await Promise.all(
        running.map((p) =>
          p.ready().catch((error: Error) => {
            const tail = logs.get(p.name)?.slice(-20).join("\n");
            throw new Error(`${p.name} did not become ready: ${error.message}\n${tail}`);
          }),
        ),
      );
    },
    stop: async () => {
      await Promise.all(running.map((p) => p.stop()));
      running = [];
    },
  };
}
