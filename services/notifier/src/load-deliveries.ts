import type { Database } from "@hookrail/event-store";
import { type Kysely, sql } from "kysely";

/** Everything one attempt needs, read in one query for the whole batch. */
export interface DeliveryToAttempt {
  id: string;
  webhookId: string;
  subscriptionId: string;
  status: string;
  attempts: number;
  url: string;
  /** Signing secrets: the current one, and the previous one during a rotation's overlap. */
  secrets: string[];
  subscriptionStatus: string;
  body: string;
  contentType: string;
  requestId: string | null;
  /** When the gateway received the webhook: the start of the received→delivered latency. */
  receivedAt: Date;
  /** Current version of the delivery's stream, for the optimistic append. */
  version: number;
}

export async function loadDeliveries(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, DeliveryToAttempt>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<DeliveryToAttempt>`
    SELECT d.id, d.webhook_id AS "webhookId", d.subscription_id AS "subscriptionId", d.status, d.attempts,
           s.url, s.status AS "subscriptionStatus",
           CASE WHEN s.previous_secret IS NOT NULL AND s.previous_secret_expires_at > now()
                THEN ARRAY[s.secret, s.previous_secret] ELSE ARRAY[s.secret] END AS secrets,
           w.request_id AS "requestId", w.received_at AS "receivedAt",
           e.data->>'body' AS body, e.data->>'contentType' AS "contentType",
           (SELECT max(x.version) FROM events x WHERE x.stream_id = 'delivery-' || d.id::text)::int AS version
    FROM deliveries d
    JOIN subscriptions s ON s.id = d.subscription_id
    JOIN webhooks w ON w.id = d.webhook_id
    JOIN events e ON e.stream_id = 'webhook-' || d.webhook_id::text AND e.version = 1
    WHERE d.id = ANY(${ids as string[]}::uuid[])`.execute(db);
  return new Map(rows.map((r) => [r.id, r]));
}
