import type { ApiKeyCreated, SourceRegistered, SubscriptionCreated } from "@hookrail/contracts";
import type { Transaction } from "kysely";
import type { StoredEvent } from "../append.js";
import type { Database } from "../schema.js";

/** Sources, subscriptions and API keys: one row per registration event. */
export async function projectAdmin(
  tx: Transaction<Database>,
  events: readonly StoredEvent[],
): Promise<void> {
  const sources = events.filter(
    (e): e is StoredEvent<SourceRegistered> => e.type === "SourceRegistered",
  );
  if (sources.length > 0) {
    await tx
      .insertInto("sources")
      .values(
        sources.map((e) => ({
          id: e.data.sourceId,
          name: e.data.name,
          provider: e.data.provider,
          secret: e.data.secret,
          options: JSON.stringify(e.data.options),
          created_at: e.recordedAt,
        })),
      )
      .execute();
  }
  const subscriptions = events.filter(
    (e): e is StoredEvent<SubscriptionCreated> => e.type === "SubscriptionCreated",
  );
  if (subscriptions.length > 0) {
    await tx
      .insertInto("subscriptions")
      .values(
        subscriptions.map((e) => ({
          id: e.data.subscriptionId,
          url: e.data.url,
          event_types: e.data.eventTypes,
          source_ids: e.data.sourceIds,
          secret: e.data.secret,
          status: "active",
          created_at: e.recordedAt,
        })),
      )
      .execute();
  }
  const keys = events.filter((e): e is StoredEvent<ApiKeyCreated> => e.type === "ApiKeyCreated");
  if (keys.length > 0) {
    await tx
      .insertInto("api_keys")
      .values(
        keys.map((e) => ({
          id: e.data.apiKeyId,
          name: e.data.name,
          scopes: e.data.scopes,
          key_hash: e.data.keyHash,
          key_prefix: e.data.keyPrefix,
          created_at: e.recordedAt,
          expires_at: e.data.expiresAt ?? null,
        })),
      )
      .execute();
  }
}
