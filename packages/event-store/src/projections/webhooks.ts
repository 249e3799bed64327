import type { WebhookReceived } from "@hookrail/contracts";
import { sql, type Transaction } from "kysely";
import type { StoredEvent } from "../append.js";
import type { Database } from "../schema.js";

/** One row per received webhook; the delivery counters are moved by the deliveries projector. */
export async function projectWebhooks(
  tx: Transaction<Database>,
  events: readonly StoredEvent[],
): Promise<void> {
  const received = events.filter(
    (e): e is StoredEvent<WebhookReceived> => e.type === "WebhookReceived",
  );
  if (received.length === 0) return;
  await tx
    .insertInto("webhooks")
    .values(
      received.map((e) => ({
        id: e.data.webhookId,
        source_id: e.data.sourceId,
        provider_delivery_id: e.data.providerDeliveryId,
        event_type: e.data.eventType,
        received_at: e.data.receivedAt,
        position: e.position,
        stream_sequence: e.data.streamSequence,
        request_id: e.metadata.requestId ?? null,
        trace_id: e.metadata.traceId ?? null,
      })),
    )
    .execute();
}

/** Adds to the delivery counters of webhooks, one statement for the whole batch. */
export async function bumpWebhookCounters(
  tx: Transaction<Database>,
  column: "deliveries_total" | "deliveries_succeeded" | "deliveries_failed",
  webhookIds: readonly string[],
  by = 1,
): Promise<void> {
  if (webhookIds.length === 0) return;
  const counts = new Map<string, number>();
  for (const id of webhookIds) counts.set(id, (counts.get(id) ?? 0) + by);
  const ids = [...counts.keys()];
  const ns = ids.map((id) => counts.get(id) ?? 0);
  await sql`
    UPDATE webhooks SET ${sql.ref(column)} = ${sql.ref(column)} + v.n
    FROM unnest(${ids}::uuid[], ${ns}::int[]) AS v(id, n)
    WHERE webhooks.id = v.id`.execute(tx);
}
