/**
 * @hookrail/event-store — Postgres as the record of every step: an append-only event log with
 * optimistic concurrency, projections updated in the same transaction, and their rebuild.
 */

export { appendEvents, inTransaction, type StoredEvent, type StreamAppend } from "./append.js";
export { type EventStoreDb, ensureDatabase, type OpenOptions, openDatabase } from "./database.js";
export { type DeadLetterRecord, recordDeadLetter } from "./dead-letters.js";
export { ConcurrencyError } from "./errors.js";
export { migrate } from "./migrations.js";
export { PROJECTION_TABLES } from "./projections/index.js";
export * from "./queries.js";
export { readAll, readStream, readWebhookTimeline, streamVersion } from "./read.js";
export { type RebuildReport, rebuildProjections, type TableComparison } from "./rebuild.js";
export * from "./schedule.js";
export type { Database, EventRow } from "./schema.js";
export { createScratchDatabase, dropDatabase } from "./scratch.js";
