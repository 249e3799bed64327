import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** The event store's tables, as kysely sees them. `events` is the record; the rest are projections. */
export interface Database {
  events: EventsTable;
  sources: SourcesTable;
  subscriptions: SubscriptionsTable;
  api_keys: ApiKeysTable;
  webhooks: WebhooksTable;
  deliveries: DeliveriesTable;
  dead_letters: DeadLettersTable;
  delivery_schedule: DeliveryScheduleTable;
  rate_limit_windows: { key: string; window_start: number; used: number };
}

type Json = ColumnType<unknown, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface EventsTable {
  /** Global position: the order of every append, across streams. */
  position: Generated<number>;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: Json;
  metadata: Json;
  recorded_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SourcesTable {
  id: string;
  name: string;
  provider: string;
  secret: string;
  options: Json;
  created_at: Timestamp;
  previous_secret: ColumnType<string | null, string | null | undefined, string | null>;
  previous_secret_expires_at: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
}

export interface SubscriptionsTable {
  id: string;
  url: string;
  event_types: string[];
  source_ids: string[] | null;
  secret: string;
  status: string;
  created_at: Timestamp;
  previous_secret: ColumnType<string | null, string | null | undefined, string | null>;
  previous_secret_expires_at: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
  disabled_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  scopes: string[];
  key_hash: string;
  key_prefix: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface WebhooksTable {
  id: string;
  source_id: string;
  provider_delivery_id: string;
  event_type: string;
  received_at: Timestamp;
  /** Position of the WebhookReceived event: the cursor for listing. */
  position: number;
  stream_sequence: number;
  request_id: string | null;
  trace_id: string | null;
  deliveries_total: Generated<number>;
  deliveries_succeeded: Generated<number>;
  deliveries_failed: Generated<number>;
  /** Derived in SQL from the counters (a generated column). */
  status: ColumnType<string, never, never>;
}

export interface DeliveriesTable {
  id: string;
  webhook_id: string;
  subscription_id: string;
  status: string;
  attempts: Generated<number>;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeadLettersTable {
  id: string;
  kind: string;
  stream: string;
  consumer: string;
  subject: string;
  stream_sequence: number;
  delivery_count: number;
  headers: Json;
  payload: Buffer;
  error: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  retried_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;

export interface DeliveryScheduleTable {
  delivery_id: string;
  subscription_id: string;
  webhook_id: string;
  attempt: number;
  due_at: Timestamp;
}
