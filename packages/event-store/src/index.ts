/**
 * @hookrail/event-store — Postgres as the record of every step: an append-only event log with
 * optimistic concurrency, projections updated in the same transaction, and their rebuild.
 */
export { type EventStoreDb, ensureDatabase, type OpenOptions, openDatabase } from "./database.js";
export { migrate } from "./migrations.js";
export type { Database, EventRow } from "./schema.js";
export { appendEvents, inTransaction, type StoredEvent, type StreamAppend } from "./append.js";
export { ConcurrencyError } from "./errors.js";
export { readAll, readStream, readWebhookTimeline, streamVersion } from "./read.js";
export { PROJECTION_TABLES } from "./projections/index.js";
export { rebuildProjections, type RebuildReport, type TableComparison } from "./rebuild.js";
export { type DeadLetterRecord, recordDeadLetter } from "./dead-letters.js";
export * from "./queries.js";
export * from "./schedule.js";
export { createScratchDatabase, dropDatabase } from "./scratch.js";
