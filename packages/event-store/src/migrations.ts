import { type Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import type { Database } from "./schema.js";

/** Schema migrations, in code so the built package carries them. Never edit a shipped one. */
const migrations: Record<string, Migration> = {
  "0001_event_store": {
    async up(db) {
      await sql`
        CREATE TABLE events (
          position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          event_id     uuid NOT NULL UNIQUE,
          stream_id    text NOT NULL,
          version      integer NOT NULL CHECK (version > 0),
          type         text NOT NULL,
          data         jsonb NOT NULL,
          metadata     jsonb NOT NULL,
          recorded_at  timestamptz NOT NULL DEFAULT now(),
          UNIQUE (stream_id, version)
        );
        CREATE INDEX events_webhook_idx ON events ((metadata->>'webhookId'), position);
        -- The log is append-only: refuse updates and deletes at the database itself.
        CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'events is append-only'; END $$;
        CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
          FOR EACH ROW EXECUTE FUNCTION events_append_only();

        CREATE TABLE sources (
          id text PRIMARY KEY, name text NOT NULL, provider text NOT NULL, secret text NOT NULL,
          options jsonb NOT NULL, created_at timestamptz NOT NULL
        );
        CREATE TABLE subscriptions (
          id text PRIMARY KEY, url text NOT NULL, event_types text[] NOT NULL, source_ids text[],
          secret text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL
        );
        CREATE TABLE api_keys (
          id text PRIMARY KEY, name text NOT NULL, scopes text[] NOT NULL,
          key_hash text NOT NULL UNIQUE, key_prefix text NOT NULL, created_at timestamptz NOT NULL
        );
        CREATE TABLE webhooks (
          id uuid PRIMARY KEY,
          source_id text NOT NULL,
          provider_delivery_id text NOT NULL,
          event_type text NOT NULL,
          received_at timestamptz NOT NULL,
          position bigint NOT NULL UNIQUE,
          stream_sequence bigint NOT NULL,
          request_id text,
          trace_id text,
          deliveries_total integer NOT NULL DEFAULT 0,
          deliveries_succeeded integer NOT NULL DEFAULT 0,
          deliveries_failed integer NOT NULL DEFAULT 0,
          status text GENERATED ALWAYS AS (
            CASE
              WHEN deliveries_total = 0 THEN 'received'
              WHEN deliveries_succeeded = deliveries_total THEN 'delivered'
              WHEN deliveries_succeeded + deliveries_failed = deliveries_total THEN 'failed'
              ELSE 'delivering'
            END) STORED,
          UNIQUE (source_id, provider_delivery_id)
        );
        CREATE INDEX webhooks_source_position_idx ON webhooks (source_id, position);
        CREATE INDEX webhooks_status_position_idx ON webhooks (status, position);
        CREATE TABLE deliveries (
          id uuid PRIMARY KEY,
          webhook_id uuid NOT NULL,
          subscription_id text NOT NULL,
          status text NOT NULL,
          attempts integer NOT NULL DEFAULT 0,
          last_status_code integer,
          last_error text,
          next_attempt_at timestamptz,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        );
        CREATE INDEX deliveries_webhook_idx ON deliveries (webhook_id);
        CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'scheduled';

        -- Not a projection: the notifier's retry timers (an outbox). A row is claimed by moving
        -- due_at forward (a lease), and deleted when its attempt has been made.
        CREATE TABLE delivery_schedule (
          delivery_id uuid PRIMARY KEY,
          subscription_id text NOT NULL,
          webhook_id uuid NOT NULL,
          attempt integer NOT NULL,
          due_at timestamptz NOT NULL
        );
        CREATE INDEX delivery_schedule_due_idx ON delivery_schedule (due_at);

        -- Not a projection: messages the pipeline could not process, kept for operators.
        CREATE TABLE dead_letters (
          id uuid PRIMARY KEY,
          kind text NOT NULL,
          stream text NOT NULL,
          consumer text NOT NULL,
          subject text NOT NULL,
          stream_sequence bigint NOT NULL,
          delivery_count integer NOT NULL,
          headers jsonb NOT NULL,
          payload bytea NOT NULL,
          error text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          UNIQUE (stream, consumer, stream_sequence)
        );
      `.execute(db);
    },
  },
  "0002_rotation_and_lifecycle": {
    async up(db) {
      await sql`
        ALTER TABLE subscriptions
          ADD COLUMN previous_secret text,
          ADD COLUMN previous_secret_expires_at timestamptz,
          ADD COLUMN disabled_reason text;
        ALTER TABLE sources
          ADD COLUMN previous_secret text,
          ADD COLUMN previous_secret_expires_at timestamptz;
        ALTER TABLE dead_letters ADD COLUMN retried_at timestamptz;
        CREATE INDEX deliveries_failed_idx ON deliveries (updated_at) WHERE status = 'failed';
      `.execute(db);
    },
  },
  "0003_api_key_expiry": {
    async up(db) {
      await sql`
        ALTER TABLE api_keys
          ADD COLUMN expires_at timestamptz,
          ADD COLUMN revoked_at timestamptz;
      `.execute(db);
    },
  },
  "0004_rate_limits": {
    async up(db) {
      // Not a projection: request counts per key and second, shared by gateway replicas.
      await sql`
        CREATE UNLOGGED TABLE rate_limit_windows (
          key text NOT NULL,
          window_start bigint NOT NULL,
          used integer NOT NULL,
          PRIMARY KEY (key, window_start)
        );
      `.execute(db);
    },
  },
};

/** Brings the schema up to date. Safe to call from several processes at once (kysely locks). */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error("event store migration failed", { cause: error });
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
