import { uuidv7 } from "@hookrail/contracts";
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** A message the pipeline gave up on, as the consumer saw it. */
export interface DeadLetterRecord {
  kind: "pipeline" | "delivery";
  stream: string;
  consumer: string;
  subject: string;
  streamSequence: number;
  deliveryCount: number;
  headers: Record<string, string>;
  payload: Uint8Array;
  error: string;
}

/**
 * Stores a dead letter. Idempotent per (stream, consumer, sequence): recording the same message
 * twice (a crash between record and term) keeps one row.
 */
export async function recordDeadLetter(
  db: Kysely<Database>,
  record: DeadLetterRecord,
): Promise<void> {
  await db
    .insertInto("dead_letters")
    .values({
      id: uuidv7(),
      kind: record.kind,
      stream: record.stream,
      consumer: record.consumer,
      subject: record.subject,
      stream_sequence: record.streamSequence,
      delivery_count: record.deliveryCount,
      headers: JSON.stringify(record.headers),
      payload: Buffer.from(record.payload),
      error: record.error.slice(0, 4000),
    })
    .onConflict((oc) => oc.columns(["stream", "consumer", "stream_sequence"]).doNothing())
    .execute();
}
