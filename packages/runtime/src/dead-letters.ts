import { type Database, recordDeadLetter } from "@hookrail/event-store";
import type { DeadLetter } from "@hookrail/messaging";
import { deadLetters, reportError } from "@hookrail/observability";
import type { Kysely } from "kysely";

/** The consumers' dead-letter callback: the message is stored before it is terminated. */
export function deadLetterSink(db: Kysely<Database>): (dead: DeadLetter) => Promise<void> {
  return async (dead) => {
    await recordDeadLetter(db, {
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
    deadLetters().add(1, { kind: "pipeline", consumer: dead.durable });
    // Runs in the message's trace, so the Sentry event carries its trace id.
    reportError(new DeadLetterError(dead), {
      requestId: dead.headers["x-request-id"],
      tags: { consumer: dead.durable },
    });
  };
}

/** What Sentry sees for a dead letter: where it was and why, never its payload. */
class DeadLetterError extends Error {
  constructor(dead: DeadLetter) {
    super(
      `dead letter on ${dead.stream}/${dead.durable} (seq ${dead.seq}, ${dead.deliveryCount} deliveries): ${dead.error}`,
    );
    this.name = "DeadLetterError";
  }
}
