import type { EventMetadata } from "@hookrail/contracts";
import { type Kysely, sql } from "kysely";
import type { StoredEvent } from "./append.js";
import type { Database, EventRow } from "./schema.js";

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    type: row.type,
    data: row.data,
    position: row.position,
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    metadata: row.metadata as EventMetadata,
    recordedAt: row.recorded_at,
  } as StoredEvent;
}

/** Every event of one stream, in version order; empty for an unknown stream. */
export async function readStream(db: Kysely<Database>, streamId: string): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("stream_id", "=", streamId)
    .orderBy("version")
    .execute();
  return rows.map(toStoredEvent);
}

/** The current version of a stream (0 when it has no events). */
export async function streamVersion(db: Kysely<Database>, streamId: string): Promise<number> {
  const row = await db
    .selectFrom("events")
    .select((eb) => eb.fn.max("version").as("v"))
    .where("stream_id", "=", streamId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

/** Every event that belongs to a webhook (its own stream and its deliveries'), in log order. */
export async function readWebhookTimeline(
  db: Kysely<Database>,
  webhookId: string,
): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where(sql<string>`metadata->>'webhookId'`, "=", webhookId)
    .orderBy("position")
    .execute();
  return rows.map(toStoredEvent);
}

/** Events after `afterPosition`, in log order, `limit` at a time (for rebuilds and exports). */
export async function readAll(
  db: Kysely<Database>,
  afterPosition: number,
  limit: number,
): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("position", ">", afterPosition)
    .orderBy("position")
    .limit(limit)
    .execute();
  return rows.map(toStoredEvent);
}
