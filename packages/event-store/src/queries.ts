import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Read models the services query. Each returns plain rows from one projection. */

export function findSource(db: Kysely<Database>, id: string) {
  return db.selectFrom("sources").selectAll().where("id", "=", id).executeTakeFirst();
}

export function findApiKeyByHash(db: Kysely<Database>, keyHash: string) {
  return db.selectFrom("api_keys").selectAll().where("key_hash", "=", keyHash).executeTakeFirst();
}

/** Active subscriptions; matching on event type and source is the caller's (pure) logic. */
export function listActiveSubscriptions(db: Kysely<Database>) {
  return db.selectFrom("subscriptions").selectAll().where("status", "=", "active").execute();
}

export function findWebhook(db: Kysely<Database>, id: string) {
  return db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Which of `ids` are already stored (redeliveries of a message are then no-ops). */
export async function existingWebhookIds(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom("webhooks").select("id").where("id", "in", ids).execute();
  return new Set(rows.map((r) => r.id));
}

export function listDeliveriesOfWebhooks(db: Kysely<Database>, webhookIds: readonly string[]) {
  if (webhookIds.length === 0) return Promise.resolve([]);
  return db.selectFrom("deliveries").selectAll().where("webhook_id", "in", webhookIds).execute();
}

export interface WebhookListQuery {
  sourceId?: string;
  status?: string;
  /** Position of the last row of the previous page. */
  afterPosition?: number;
  limit: number;
}

/** Webhooks, newest first, keyset-paginated on the log position. */
export function listWebhooks(db: Kysely<Database>, q: WebhookListQuery) {
  let query = db.selectFrom("webhooks").selectAll().orderBy("position", "desc").limit(q.limit);
  if (q.sourceId) query = query.where("source_id", "=", q.sourceId);
  if (q.status) query = query.where("status", "=", q.status);
  if (q.afterPosition !== undefined) query = query.where("position", "<", q.afterPosition);
  return query.execute();
}
