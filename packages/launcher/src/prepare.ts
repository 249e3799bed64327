import type { CommonConfig } from "@hookrail/config";
import { topology } from "@hookrail/contracts";
import { ensureDatabase, migrate, openDatabase } from "@hookrail/event-store";
import { connectNats, declareTopology, topologySettings } from "@hookrail/messaging";
import type { Logger } from "@hookrail/observability";

/**
 * Everything the services expect to exist: the database (created when missing), its schema,
 * and the streams and consumers. Idempotent; the services repeat it at their own start.
 */
export async function prepareInfrastructure(config: CommonConfig, logger: Logger): Promise<void> {
  if (await ensureDatabase(config.DATABASE_URL)) logger.info("database created");
  const store = openDatabase({
    url: config.DATABASE_URL,
    poolSize: 1,
    applicationName: "hookrail-launcher",
  });
  try {
    const applied = await migrate(store.db);
    logger.info(
      { migrations: applied },
      applied.length ? "database migrated" : "database schema current",
    );
  } finally {
    await store.close();
  }
  const nats = await connectNats({ servers: config.NATS_URL, name: "hookrail-launcher", logger });
  try {
    await declareTopology(nats, topology(config.NATS_PREFIX), ...topologySettings(config));
    logger.info({ prefix: config.NATS_PREFIX }, "streams and consumers declared");
  } finally {
    await nats.drain();
  }
}
