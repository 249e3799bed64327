import type { CommonConfig } from "@hookrail/config";
import { topology as makeTopology, type Topology } from "@hookrail/contracts";
import { type Database, ensureDatabase, migrate, openDatabase } from "@hookrail/event-store";
import {
  connectNats,
  declareTopology,
  type NatsConnection,
  Publisher,
  topologySettings,
} from "@hookrail/messaging";
import {
  createLogger,
  flushErrors,
  type Logger,
  prometheusHandler,
  type ReadinessCheck,
  startOpsServer,
  stopTelemetry,
} from "@hookrail/observability";
import { type Kysely, sql } from "kysely";
import { observeNats, observePool } from "./observe.js";
import { Shutdown } from "./shutdown.js";

export interface BootOptions {
  service: string;
  config: CommonConfig;
  opsPort: number;
}

export interface Service {
  logger: Logger;
  db: Kysely<Database>;
  nats: NatsConnection;
  publisher: Publisher;
  topology: Topology;
  shutdown: Shutdown;
}

/**
 * Starts what every Hookrail service needs, in order: the database (created and migrated when
 * missing), NATS (streams and consumers declared), and the ops server. Each step is idempotent,
 * so any service can start alone or alongside the others.
 */
export async function bootService(options: BootOptions): Promise<Service> {
  const { config, service } = options;
  const logger = createLogger({ service, level: config.LOG_LEVEL });
  const shutdown = new Shutdown(logger);
  shutdown.installSignalHandlers();
  // Released last: spans and error reports of the stop itself still go out.
  shutdown.onRelease({
    name: "telemetry",
    stop: async () => void (await Promise.all([stopTelemetry(), flushErrors()])),
  });

  await ensureDatabase(config.DATABASE_URL);
  const store = openDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: `hookrail-${service}`,
    onPoolError: (err) => logger.warn({ err }, "idle database connection failed"),
  });
  shutdown.onRelease({ name: "database pool", stop: () => store.close() });
  observePool(store.pool);
  const applied = await migrate(store.db);
  if (applied.length > 0) logger.info({ migrations: applied }, "database migrated");

  const nats = await connectNats({ servers: config.NATS_URL, name: `hookrail-${service}`, logger });
  shutdown.onRelease({ name: "nats", stop: () => nats.drain() });
  observeNats(nats);
  const topology = makeTopology(config.NATS_PREFIX);
  await declareTopology(nats, topology, ...topologySettings(config));

  const checks: ReadinessCheck[] = [
    { name: "postgres", check: async () => void (await sql`SELECT 1`.execute(store.db)) },
    {
      name: "nats",
      check: async () => {
        if (nats.isClosed()) throw new Error("connection closed");
        await nats.flush();
      },
    },
  ];
  const ops = await startOpsServer({
    port: options.opsPort,
    checks,
    logger,
    metrics: prometheusHandler(),
  });
  shutdown.onRelease({ name: "ops server", stop: () => new Promise((r) => ops.close(() => r())) });

  return {
    logger,
    db: store.db,
    nats,
    publisher: new Publisher(nats, { service }),
    topology,
    shutdown,
  };
}
