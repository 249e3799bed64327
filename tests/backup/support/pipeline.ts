import { SERVICE_NAMES, type ServiceName, type ServiceProcess } from "@hookrail/launcher";
import { freePort } from "../../support/ports.js";
import {
  prepareStores,
  type Stores,
  serviceEnv,
  startService,
  testAdminKey,
} from "../../support/services.js";

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

export async function createPipeline(stores: Stores): Promise<Pipeline> {
  const adminKey = testAdminKey();
  const gatewayPort = await freePort();
  const opsPorts: Record<ServiceName, number> = {
    gateway: await freePort(),
    processor: await freePort(),
    notifier: await freePort(),
    "backup-agent": await freePort(),
  };
  // One environment for every start: the same secrets key opens what a restore brings back.
  const env = serviceEnv(stores, {
    adminKey,
    gatewayPort,
    extra: { LOG_LEVEL: "warn", OTEL_SDK_DISABLED: "true" },
  });
  const logs = new Map<ServiceName, string[]>(SERVICE_NAMES.map((n) => [n, []]));
  let running: ServiceProcess[] = [];
  return {
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    adminKey,
    env,
    logs,
    start: async () => {
      await prepareStores(stores);
      await Promise.all(
        SERVICE_NAMES.map((name) =>
          startService(name, {
            env,
            opsPort: opsPorts[name],
            lines: logs.get(name) ?? [],
            spawned: (p) => running.push(p),
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
