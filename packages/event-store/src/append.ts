import { type DomainEvent, type EventMetadata, uuidv7 } from "@hookrail/contracts";
import { appendDuration } from "@hookrail/observability";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Kysely, Transaction } from "kysely";
import { ConcurrencyError } from "./errors.js";
import { applyProjections } from "./projections/index.js";
import type { Database } from "./schema.js";

/** An event as stored: the domain event plus its place in the log. */
export type StoredEvent<E extends DomainEvent = DomainEvent> = E & {
  position: number;
  eventId: string;
  streamId: string;
  version: number;
  metadata: EventMetadata;
  recordedAt: Date;
};

/** Events to append to one stream, which must currently be at `expectedVersion` (0: new). */
export interface StreamAppend {
  streamId: string;
  expectedVersion: number;
  events: ReadonlyArray<{ event: DomainEvent; metadata: EventMetadata; eventId?: string }>;
}

/**
 * Appends to several streams in one INSERT and updates the projections, inside `tx`.
 * Optimistic concurrency: if any stream has moved past its expected version the statement
 * inserts nothing for that row and this throws ConcurrencyError; the caller's transaction must
 * then roll back, so no partial append is ever committed.
 */
export function appendEvents(
  tx: Transaction<Database>,
  appends: readonly StreamAppend[],
): Promise<StoredEvent[]> {
  return tracer().startActiveSpan("event-store append", async (span) => {
    const started = performance.now();
    let outcome = "ok";
    try {
      const stored = await insertAndProject(tx, appends);
      span.setAttribute("hookrail.events.count", stored.length);
      return stored;
    } catch (error) {
      outcome = error instanceof ConcurrencyError ? "conflict" : "error";
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      throw error;
    } finally {
      appendDuration().record((performance.now() - started) / 1000, { outcome });
      span.end();
    }
  });
}

const tracer = () => trace.getTracer("hookrail-event-store");

async function insertAndProject(
  tx: Transaction<Database>,
  appends: readonly StreamAppend[],
): Promise<StoredEvent[]> {
  const rows = appends.flatMap((a) =>
    a.events.map((e, i) => ({
      event_id: e.eventId ?? uuidv7(),
      stream_id: a.streamId,
      version: a.expectedVersion + i + 1,
      type: e.event.type,
      data: JSON.stringify(e.event.data),
      metadata: JSON.stringify(e.metadata),
    })),
  );
  if (rows.length === 0) return [];
  const inserted = await tx
    .insertInto("events")
    .values(rows)
    .onConflict((oc) => oc.columns(["stream_id", "version"]).doNothing())
    .returning(["position", "event_id", "stream_id", "version", "recorded_at"])
    .execute();
  if (inserted.length !== rows.length) {
    const got = new Set(inserted.map((r) => `${r.stream_id}#${r.version}`));
    const lost = rows.find((r) => !got.has(`${r.stream_id}#${r.version}`));
    throw new ConcurrencyError(lost?.stream_id ?? "?", (lost?.version ?? 1) - 1);
  }
  const byKey = new Map(inserted.map((r) => [`${r.stream_id}#${r.version}`, r]));
  const stored = appends.flatMap((a) =>
    a.events.map((e, i) => {
      const r = byKey.get(`${a.streamId}#${a.expectedVersion + i + 1}`);
      if (!r) throw new Error("inserted row missing from RETURNING");
      return {
        ...e.event,
        position: r.position,
        eventId: r.event_id,
        streamId: r.stream_id,
        version: r.version,
        metadata: e.metadata,
        recordedAt: r.recorded_at,
      } as StoredEvent;
    }),
  );
  stored.sort((a, b) => a.position - b.position);
  await applyProjections(tx, stored);
  return stored;
}

/** Runs `work` in one transaction; everything it appends commits together or not at all. */
export function inTransaction<T>(
  db: Kysely<Database>,
  work: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(work);
}
