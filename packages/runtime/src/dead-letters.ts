import { type Database, recordDeadLetter } from "@hookrail/event-store";
import type { DeadLetter } from "@hookrail/messaging";
import type { Kysely } from "kysely";

/** The consumers' dead-letter callback: the message is stored before it is terminated. */
export function deadLetterSink(db: Kysely<Database>): (dead: DeadLetter) => Promise<void> {
  return (dead) =>
    recordDeadLetter(db, {
      kind: "pipeline",
      stream: dead.stream,
      consumer: dead.durable,
      subject: dead.subject,
      streamSequence: dead.seq,
      deliveryCount: dead.deliveryCount,
      headers: dead.headers,
      payload: dead.payload,
      error: dead.error,
    });
}
