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
import { type Kysely, sql } from "kysely";

/**
 * Appends one admin event. With `create`, the stream must be new (409 Conflict otherwise);
 * without, it is appended at the stream's current version, under a per-stream transaction lock,
 * retrying when a writer that does not take the lock got there first.
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
        // Writers of one stream through here take turns: with only the retry, a burst of
        // concurrent changes to one resource (the admin fuzzer's pauses and resumes) could lose
        // every attempt and answer 500.
        if (!options.create)
          await sql`SELECT pg_advisory_xact_lock(hashtext(${stream}))`.execute(tx);
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
