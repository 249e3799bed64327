import type { Database } from "@hookrail/event-store";
import { type Kysely, sql } from "kysely";
import type { LeaseStore } from "./limiter.js";

/**
 * The shared store in Postgres: one row per key and second, in an UNLOGGED table (counts need
 * not survive a crash). Always adding the full request makes the old count derivable from the
 * new one, so one statement leases.
 */
export class PostgresLeaseStore implements LeaseStore {
  private lastPrune = 0;

  constructor(private readonly db: Kysely<Database>) {}

  async add(key: string, window: number, want: number): Promise<number> {
    const { rows } = await sql<{ used: number }>`
      INSERT INTO rate_limit_windows AS w (key, window_start, used) VALUES (${key}, ${window}, ${want})
      ON CONFLICT (key, window_start) DO UPDATE SET used = w.used + EXCLUDED.used
      RETURNING used`.execute(this.db);
    if (window - this.lastPrune > 60) {
      this.lastPrune = window;
      void sql`DELETE FROM rate_limit_windows WHERE window_start < ${window - 60}`
        .execute(this.db)
        .catch(() => undefined);
    }
    return Number(rows[0]?.used ?? want);
  }
}
