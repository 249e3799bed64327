import type { LifecycleEvent } from "@hookrail/contracts";
import type { Transaction } from "kysely";
import type { StoredEvent } from "../append.js";
import type { Database } from "../schema.js";

type SubscriptionOrSourceChange = Exclude<LifecycleEvent, { type: "DeliveryRetryRequested" }>;
const TYPES = new Set<string>([
  "SubscriptionDisabled",
  "SubscriptionPaused",
  "SubscriptionResumed",
  "SubscriptionSecretRotated",
  "SourceSecretRotated",
  "ApiKeyRevoked",
]);

/** Status and secret changes of subscriptions and sources, applied in log order. */
export async function projectLifecycle(
  tx: Transaction<Database>,
  events: readonly StoredEvent[],
): Promise<void> {
  for (const e of events) {
    if (TYPES.has(e.type)) await apply(tx, e as StoredEvent<SubscriptionOrSourceChange>);
  }
}

async function apply(
  tx: Transaction<Database>,
  e: StoredEvent<SubscriptionOrSourceChange>,
): Promise<void> {
  if (e.type === "ApiKeyRevoked") {
    await tx
      .updateTable("api_keys")
      .where("id", "=", e.data.apiKeyId)
      .set({ revoked_at: e.recordedAt })
      .execute();
    return;
  }
  if (e.type === "SourceSecretRotated") {
    await tx
      .updateTable("sources")
      .where("id", "=", e.data.sourceId)
      .set({
        secret: e.data.secret,
        previous_secret: e.data.previousSecret,
        previous_secret_expires_at: e.data.previousSecretExpiresAt,
      })
      .execute();
    return;
  }
  const subscription = tx.updateTable("subscriptions").where("id", "=", e.data.subscriptionId);
  switch (e.type) {
    case "SubscriptionDisabled":
      await subscription.set({ status: "disabled", disabled_reason: e.data.reason }).execute();
      return;
    case "SubscriptionPaused":
      await subscription.set({ status: "paused" }).execute();
      return;
    case "SubscriptionResumed":
      await subscription.set({ status: "active", disabled_reason: null }).execute();
      return;
    case "SubscriptionSecretRotated":
      await subscription
        .set({
          secret: e.data.secret,
          previous_secret: e.data.previousSecret,
          previous_secret_expires_at: e.data.previousSecretExpiresAt,
        })
        .execute();
      return;
  }
}
