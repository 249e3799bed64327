import type {
  DeliveryAttempted,
  DeliveryFailed,
  DeliveryRequested,
  DeliveryRetryRequested,
  DeliveryRetryScheduled,
  DeliverySucceeded,
} from "@hookrail/contracts";
import type { Transaction } from "kysely";
import type { StoredEvent } from "../append.js";
import type { Database } from "../schema.js";
import { bumpWebhookCounters } from "./webhooks.js";

type DeliveryChange = StoredEvent<
  | DeliveryAttempted
  | DeliverySucceeded
  | DeliveryRetryScheduled
  | DeliveryFailed
  | DeliveryRetryRequested
>;

/**
 * One row per delivery (webhook × subscription × request). Requests are inserted in one
 * statement; later changes are applied in log order, since each sets the state it describes.
 */
export async function projectDeliveries(
  tx: Transaction<Database>,
  events: readonly StoredEvent[],
): Promise<void> {
  const requested = events.filter(
    (e): e is StoredEvent<DeliveryRequested> => e.type === "DeliveryRequested",
  );
  if (requested.length > 0) {
    await tx
      .insertInto("deliveries")
      .values(
        requested.map((e) => ({
          id: e.data.deliveryId,
          webhook_id: e.data.webhookId,
          subscription_id: e.data.subscriptionId,
          status: "pending",
          created_at: e.recordedAt,
          updated_at: e.recordedAt,
        })),
      )
      .execute();
    await bumpWebhookCounters(
      tx,
      "deliveries_total",
      requested.map((e) => e.data.webhookId),
    );
  }
  for (const e of events) {
    if (isDeliveryChange(e)) await applyChange(tx, e);
  }
  await bumpWebhookCounters(
    tx,
    "deliveries_succeeded",
    events.filter((e) => e.type === "DeliverySucceeded").map((e) => e.data.webhookId),
  );
  await bumpWebhookCounters(
    tx,
    "deliveries_failed",
    events.filter((e) => e.type === "DeliveryFailed").map((e) => e.data.webhookId),
  );
  await bumpWebhookCounters(
    tx,
    "deliveries_failed",
    events.filter((e) => e.type === "DeliveryRetryRequested").map((e) => e.data.webhookId),
    -1,
  );
}

function isDeliveryChange(e: StoredEvent): e is DeliveryChange {
  return (
    e.type === "DeliveryAttempted" ||
    e.type === "DeliverySucceeded" ||
    e.type === "DeliveryRetryScheduled" ||
    e.type === "DeliveryFailed" ||
    e.type === "DeliveryRetryRequested"
  );
}

async function applyChange(tx: Transaction<Database>, e: DeliveryChange): Promise<void> {
  const update = tx
    .updateTable("deliveries")
    .where("id", "=", e.data.deliveryId)
    .set({ updated_at: e.recordedAt });
  switch (e.type) {
    case "DeliveryAttempted":
      await update
        .set({
          attempts: e.data.attempt,
          last_status_code: e.data.statusCode,
          last_error: e.data.error,
        })
        .execute();
      return;
    case "DeliverySucceeded":
      await update.set({ status: "succeeded", next_attempt_at: null }).execute();
      return;
    case "DeliveryRetryScheduled":
      await update.set({ status: "scheduled", next_attempt_at: e.data.nextAttemptAt }).execute();
      return;
    case "DeliveryFailed":
      await update.set({ status: "failed", next_attempt_at: null }).execute();
      return;
    case "DeliveryRetryRequested":
      // Reopened: no longer counted as failed (see the counters below).
      await update.set({ status: "pending", next_attempt_at: null }).execute();
      return;
  }
}
