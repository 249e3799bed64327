import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

const INT8_OID = 20;

export interface OpenOptions {
  url: string;
  poolSize?: number;
  /** Name of the process, shown in pg_stat_activity. */
  applicationName?: string;
  /**
   * Called for errors of pooled clients outside a query: idle, or checked out between two
   * queries (e.g. Postgres restarting). The pool drops such a client.
   */
  onPoolError?: (error: Error) => void;
}

export interface EventStoreDb {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens a kysely instance over a pg pool. int8 columns (positions, sequences) come back as
 * numbers: they stay far below 2^53, and strings would leak into every caller.
 */
export function openDatabase(options: OpenOptions): EventStoreDb {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? "hookrail",
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  pool.on("error", (error) => options.onPoolError?.(error));
  // pg-pool listens for errors only while a client is idle. A client checked out for a
  // transaction whose connection dies between two queries (Postgres restarting) would emit an
  // unhandled 'error' and crash the process; with this listener its next query fails instead,
  // the transaction rolls back, and the pool discards the client on release.
  const checkedOut = (error: Error) => options.onPoolError?.(error);
  pool.on("acquire", (client) => client.on("error", checkedOut));
  pool.on("release", (_error, client) => client.removeListener("error", checkedOut));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}

/**
 * Creates the database named in `url` when it does not exist, connecting to the server's
 * `postgres` database to do so. Returns true when it created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) {
    throw new Error(`database name ${JSON.stringify(name)} must be 1-63 letters, digits, _ or -`);
  }
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } catch (error) {
    // Another process created it between our check and our CREATE.
    if ((error as { code?: string }).code === "42P04") return false;
    throw error;
  } finally {
    await client.end();
  }
}
