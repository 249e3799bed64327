import type { DomainEvent } from "@hookrail/contracts";
import {
  appendEvents,
  ConcurrencyError,
  type Database,
  inTransaction,
  streamVersion,
} from "@hookrail/event-store";
import { Conflict } from "@hookrail/http";
import { currentRequestId } from "@hookrail/observability";
import type { Kysely } from "kysely";

/**
 * Appends one admin event. With `create`, the stream must be new (409 Conflict otherwise);
 * without, it is appended at the stream's current version, retrying when another writer got
 * there first. Admin changes are rare, so a re-read is cheap.
 */
export async function recordAdminEvent(
  db: Kysely<Database>,
  stream: string,
  event: DomainEvent,
  options: { create?: boolean } = {},
): Promise<void> {
  const metadata = {
    source: "gateway",
    ...(currentRequestId() ? { requestId: currentRequestId() } : {}),
  };
  const attempts = options.create ? 1 : 3;
  for (let i = 1; ; i++) {
    try {
      await inTransaction(db, async (tx) => {
        const expectedVersion = options.create ? 0 : await streamVersion(tx, stream);
        return appendEvents(tx, [
          { streamId: stream, expectedVersion, events: [{ event, metadata }] },
        ]);
      });
      return;
    } catch (error) {
      if (error instanceof ConcurrencyError && options.create)
        throw new Conflict(`${stream} exists already`);
      if (!(error instanceof ConcurrencyError) || i >= attempts) throw error;
    }
  }
}
