import { type Kysely, sql, type Transaction } from "kysely";
import { applyProjections, PROJECTION_TABLES } from "./projections/index.js";
import { readAll } from "./read.js";
import type { Database } from "./schema.js";

export interface TableComparison {
  table: string;
  liveRows: number;
  rebuiltRows: number;
  /** Rows in the live projection that the rebuild did not produce. */
  onlyLive: number;
  /** Rows the rebuild produced that the live projection lacked. */
  onlyRebuilt: number;
}

export interface RebuildReport {
  eventsReplayed: number;
  tables: TableComparison[];
  /** True when every rebuilt projection equals the live one, row for row. */
  equal: boolean;
  committed: boolean;
}

class Rollback extends Error {
  constructor(readonly report: RebuildReport) {
    super("rollback");
  }
}

/**
 * Rebuilds every projection from the event log and compares the result with the live tables.
 * Appends are blocked meanwhile (EXCLUSIVE lock on events) so the replay sees a fixed log.
 * With `commit: false` it only checks: the live projections are left untouched.
 */
export async function rebuildProjections(
  db: Kysely<Database>,
  options: { commit: boolean; batchSize?: number; onProgress?: (replayed: number) => void },
): Promise<RebuildReport> {
  try {
    return await db.transaction().execute(async (tx) => {
      await sql`LOCK TABLE events IN EXCLUSIVE MODE`.execute(tx);
      for (const t of PROJECTION_TABLES) {
        await sql`CREATE TEMP TABLE ${sql.id(`live_${t}`)} ON COMMIT DROP AS SELECT * FROM ${sql.id(t)}`.execute(
          tx,
        );
      }
      await sql`TRUNCATE ${sql.join(PROJECTION_TABLES.map((t) => sql.id(t)))}`.execute(tx);
      const eventsReplayed = await replay(tx, options.batchSize ?? 2000, options.onProgress);
      const tables = [];
      for (const t of PROJECTION_TABLES) tables.push(await compare(tx, t));
      const equal = tables.every((c) => c.onlyLive === 0 && c.onlyRebuilt === 0);
      const report = { eventsReplayed, tables, equal, committed: options.commit };
      if (!options.commit) throw new Rollback(report);
      return report;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.report;
    throw error;
  }
}

async function replay(
  tx: Transaction<Database>,
  batchSize: number,
  onProgress?: (replayed: number) => void,
): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const events = await readAll(tx, after, batchSize);
    if (events.length === 0) return count;
    await applyProjections(tx, events);
    count += events.length;
    after = events[events.length - 1]?.position ?? after;
    onProgress?.(count);
  }
}

async function compare(tx: Transaction<Database>, table: string): Promise<TableComparison> {
  const live = sql.id(`live_${table}`);
  const rebuilt = sql.id(table);
  const { rows } = await sql<{
    live: number;
    rebuilt: number;
    only_live: number;
    only_rebuilt: number;
  }>`
    SELECT
      (SELECT count(*) FROM ${live})::int AS live,
      (SELECT count(*) FROM ${rebuilt})::int AS rebuilt,
      (SELECT count(*) FROM (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${rebuilt}) d)::int AS only_live,
      (SELECT count(*) FROM (SELECT * FROM ${rebuilt} EXCEPT ALL SELECT * FROM ${live}) d)::int AS only_rebuilt
  `.execute(tx);
  const r = rows[0];
  return {
    table,
    liveRows: r?.live ?? 0,
    rebuiltRows: r?.rebuilt ?? 0,
    onlyLive: r?.only_live ?? 0,
    onlyRebuilt: r?.only_rebuilt ?? 0,
  };
}
