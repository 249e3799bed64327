import type { Database } from "@hookrail/event-store";
import { type Kysely, sql } from "kysely";

/** A webhook as the event store holds it: its WebhookReceived event. */
export interface StoredWebhook {
  key: string;
  webhookId: string;
  eventType: string;
  recordedAt: number;
}

export interface DeadLetterRow {
  kind: string;
  consumer: string;
  streamSequence: number;
  error: string;
}

/** What the checker reads from Postgres once the pipeline has drained. */
export interface StoreSnapshot {
  /** By provider delivery id (the load generator's key); the first event when there are several. */
  webhooks: Map<string, StoredWebhook>;
  /** WebhookReceived events beyond the first per provider delivery id. */
  duplicateWebhookReceived: number;
  /** Requested deliveries: `webhookId|subscriptionId`. */
  deliveryRequests: Set<string>;
  /** DeliveryRequested events beyond the first per delivery id. */
  duplicateDeliveryRequested: number;
  /** (stream_id, version) pairs held more than once (the unique constraint forbids it). */
  duplicateStreamVersions: number;
  deadLetters: DeadLetterRow[];
  /** Deliveries neither succeeded nor failed yet. */
  unsettledDeliveries: number;
  /** Retry timers still waiting. */
  scheduledRetries: number;
}

type Row = Record<string, unknown>;
const rows = async (db: Kysely<Database>, query: ReturnType<typeof sql>) =>
  (await query.execute(db)).rows as Row[];
const count = async (db: Kysely<Database>, query: ReturnType<typeof sql>) =>
  Number((await rows(db, query))[0]?.n ?? 0);

/** Reads everything the checker compares, straight from the tables. */
export async function readStore(db: Kysely<Database>): Promise<StoreSnapshot> {
  const received = await rows(
    db,
    sql`SELECT data->>'providerDeliveryId' AS key, data->>'webhookId' AS webhook_id,
               data->>'eventType' AS event_type, recorded_at
          FROM events WHERE type = 'WebhookReceived' ORDER BY position`,
  );
  const webhooks = new Map<string, StoredWebhook>();
  let duplicateWebhookReceived = 0;
  for (const r of received) {
    const key = String(r.key);
    if (webhooks.has(key)) {
      duplicateWebhookReceived++;
      continue;
    }
    webhooks.set(key, {
      key,
      webhookId: String(r.webhook_id),
      eventType: String(r.event_type),
      recordedAt: new Date(r.recorded_at as string).getTime(),
    });
  }
  const requested = await rows(
    db,
    sql`SELECT data->>'deliveryId' AS delivery_id, data->>'webhookId' AS webhook_id,
               data->>'subscriptionId' AS subscription_id
          FROM events WHERE type = 'DeliveryRequested'`,
  );
  const deliveryIds = new Set<string>();
  const deliveryRequests = new Set<string>();
  let duplicateDeliveryRequested = 0;
  for (const r of requested) {
    const id = String(r.delivery_id);
    if (deliveryIds.has(id)) duplicateDeliveryRequested++;
    deliveryIds.add(id);
    deliveryRequests.add(`${r.webhook_id}|${r.subscription_id}`);
  }
  const deadLetters = (
    await rows(
      db,
      sql`SELECT kind, consumer, stream_sequence, error FROM dead_letters ORDER BY stream_sequence`,
    )
  ).map((r) => ({
    kind: String(r.kind),
    consumer: String(r.consumer),
    streamSequence: Number(r.stream_sequence),
    error: String(r.error),
  }));
  return {
    webhooks,
    duplicateWebhookReceived,
    deliveryRequests,
    duplicateDeliveryRequested,
    duplicateStreamVersions: await count(
      db,
      sql`SELECT count(*) AS n FROM (SELECT stream_id, version FROM events
            GROUP BY stream_id, version HAVING count(*) > 1) d`,
    ),
    deadLetters,
    unsettledDeliveries: await count(
      db,
      sql`SELECT count(*) AS n FROM deliveries WHERE status NOT IN ('succeeded', 'failed')`,
    ),
    scheduledRetries: await count(db, sql`SELECT count(*) AS n FROM delivery_schedule`),
  };
}
