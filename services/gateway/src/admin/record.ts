import type { DomainEvent } from "@hookrail/contracts";
import {
  appendEvents,
  ConcurrencyError,
  type Database,
  inTransaction,
  streamVersion,
} from "@hookrail/event-store";
import { currentRequestId } from "@hookrail/observability";
import type { Kysely } from "kysely";

/**
 * Appends one admin event to a stream at its current version (0 for a new stream), retrying when
 * another writer got there first. Admin changes are rare, so a re-read is cheap.
 */
export async function recordAdminEvent(
  db: Kysely<Database>,
  stream: string,
  event: DomainEvent,
  attempts = 3,
): Promise<void> {
  const metadata = {
    source: "gateway",
    ...(currentRequestId() ? { requestId: currentRequestId() } : {}),
  };
  for (let i = 1; ; i++) {
    try {
      await inTransaction(db, async (tx) =>
        appendEvents(tx, [
          {
            streamId: stream,
            expectedVersion: await streamVersion(tx, stream),
            events: [{ event, metadata }],
          },
        ]),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || i >= attempts) throw error;
    }
  }
}
