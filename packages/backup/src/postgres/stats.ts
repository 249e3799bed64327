import type pg from "pg";
import type { TableStats } from "../manifest.js";

/** What a backup records of the database, and what a restored copy must reproduce. */
export interface DatabaseStats {
  /** By `schema.table`. */
  tables: Record<string, TableStats>;
  lastProcessedSequence: number | null;
}

// Rows are hashed in buckets so that no aggregate grows with the table (string_agg caps at 1 GB).
const BUCKET_ROWS = 10_000;

/**
 * Makes `row::text` the same on every server: dates, intervals, floats and bytea print one way.
 * Runs inside the caller's transaction (SET LOCAL).
 */
export async function useStableTextOutput(client: pg.ClientBase): Promise<void> {
  await client.query(`SET LOCAL TimeZone = 'UTC';
    SET LOCAL DateStyle = 'ISO, YMD';
    SET LOCAL IntervalStyle = 'postgres';
    SET LOCAL extra_float_digits = 3;
    SET LOCAL bytea_output = 'hex'`);
}

/**
 * Row counts and content hashes of every table, plus the last processed WEBHOOKS sequence, as
 * the caller's transaction sees them. The hash of a table: each row's text is md5-hashed; rows
 * are taken in primary-key order (compared as text in the C collation, so the server's locale
 * does not matter; by their own hash when there is no primary key); each run of 10,000 row
 * hashes is sha256-hashed, and the table's hash is the sha256 of those.
 */
export async function databaseStats(client: pg.ClientBase): Promise<DatabaseStats> {
  await useStableTextOutput(client);
  const tables: Record<string, TableStats> = {};
  for (const t of await listTables(client)) {
    tables[`${t.schema}.${t.name}`] = await tableStats(client, t);
  }
  return { tables, lastProcessedSequence: await lastProcessedSequence(client) };
}

interface TableRef {
  schema: string;
  name: string;
  pk: string[];
}

async function listTables(client: pg.ClientBase): Promise<TableRef[]> {
  const { rows } = await client.query<TableRef>(`
    SELECT n.nspname AS schema, c.relname AS name,
      coalesce((SELECT array_agg(a.attname::text ORDER BY k.ord)
                FROM pg_index i
                CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                WHERE i.indrelid = c.oid AND i.indisprimary), '{}') AS pk
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2`);
  return rows;
}

async function tableStats(client: pg.ClientBase, t: TableRef): Promise<TableStats> {
  const order =
    t.pk.length > 0
      ? t.pk.map((c) => `(t.${ident(c)})::text COLLATE "C"`).join(", ")
      : `md5(t::text) COLLATE "C"`;
  const { rows } = await client.query<{ rows: string; sha256: string }>(`
    SELECT coalesce(sum(c), 0)::text AS rows,
           encode(sha256(convert_to(coalesce(string_agg(h, '' ORDER BY b), ''), 'UTF8')), 'hex') AS sha256
    FROM (
      SELECT (n - 1) / ${BUCKET_ROWS} AS b, count(*) AS c,
             encode(sha256(convert_to(string_agg(r, '' ORDER BY n), 'UTF8')), 'hex') AS h
      FROM (SELECT md5(t::text) AS r, row_number() OVER (ORDER BY ${order}) AS n
            FROM ${ident(t.schema)}.${ident(t.name)} t) x
      GROUP BY 1
    ) y`);
  const row = rows[0];
  return { rows: Number(row?.rows ?? 0), sha256: row?.sha256 ?? "" };
}

/** The highest WEBHOOKS stream sequence the processor stored (WebhookReceived.streamSequence). */
async function lastProcessedSequence(client: pg.ClientBase): Promise<number | null> {
  const exists = await client.query<{ t: string | null }>(
    "SELECT to_regclass('public.events')::text AS t",
  );
  if (!exists.rows[0]?.t) return null;
  const { rows } = await client.query<{ seq: string | null }>(
    `SELECT max((data->>'streamSequence')::bigint)::text AS seq
     FROM events WHERE type = 'WebhookReceived'`,
  );
  const seq = rows[0]?.seq;
  return seq == null ? null : Number(seq);
}

/** A quoted SQL identifier. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
