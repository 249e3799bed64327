import { openDatabase, rebuildProjections } from "@hookrail/event-store";
import pg from "pg";

/**
 * Every stream's versions run 1..n without a gap. With UNIQUE (stream_id, version), that is
 * min = 1 and max = count. Returns a description of each stream that breaks it (at most 5).
 */
export async function eventVersionGaps(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, application_name: "hookrail-verify" });
  await client.connect();
  try {
    const { rows } = await client.query<{ stream_id: string; n: string; lo: number; hi: number }>(`
      SELECT stream_id, count(*)::text AS n, min(version) AS lo, max(version) AS hi
      FROM events GROUP BY stream_id
      HAVING min(version) <> 1 OR max(version) <> count(*)
      ORDER BY stream_id LIMIT 5`);
    return rows.map(
      (r) => `stream ${r.stream_id} has ${r.n} events with versions ${r.lo}..${r.hi}`,
    );
  } finally {
    await client.end();
  }
}

/**
 * Replays the whole event log into fresh projections (rolled back afterwards) and compares them
 * with the restored ones. Returns a description of each table that differs.
 */
export async function projectionDifferences(url: string): Promise<string[]> {
  const store = openDatabase({ url, poolSize: 1, applicationName: "hookrail-verify" });
  try {
    const report = await rebuildProjections(store.db, { commit: false });
    return report.tables
      .filter((t) => t.onlyLive !== 0 || t.onlyRebuilt !== 0)
      .map(
        (t) =>
          `projection ${t.table} differs from a replay of the events (${t.onlyLive} rows only restored, ${t.onlyRebuilt} only rebuilt)`,
      );
  } finally {
    await store.close();
  }
}
