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

// Postgres text and jsonb cannot hold U+0000, and an error message may quote the payload that
// caused it: unescaped, such a message could never be recorded, so never terminated.
const storable = (s: string) => s.replaceAll("\u0000", "\\u0000");

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
      headers: JSON.stringify(
        Object.fromEntries(
          Object.entries(record.headers).map(([k, v]) => [storable(k), storable(v)]),
        ),
      ),
      payload: Buffer.from(record.payload),
      error: storable(record.error).slice(0, 4000),
    })
    .onConflict((oc) => oc.columns(["stream", "consumer", "stream_sequence"]).doNothing())
    .execute();
}
