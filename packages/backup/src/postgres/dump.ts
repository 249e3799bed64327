import { rm } from "node:fs/promises";
import pg from "pg";
import { BackupError } from "../errors.js";
import { commitFile, sizeOf, tempPathOf } from "../files.js";
import type { Progress } from "../result.js";
import { lastLines, libpqConnection, pgTool, runTool, type ToolPaths } from "../tools.js";
import { type DatabaseStats, databaseStats } from "./stats.js";

export interface DumpResult {
  stats: DatabaseStats;
  /** Server time when the snapshot's statement started: every commit before it is in the dump. */
  snapshotAt: string;
  serverVersion: string;
}

/**
 * A consistent logical backup: a REPEATABLE READ transaction exports its snapshot, pg_dump
 * (custom format) dumps exactly that snapshot while the transaction stays open, and the row
 * counts, content hashes and last processed sequence are read in the same snapshot, so the
 * manifest describes the dump exactly.
 */
export async function dumpDatabase(options: {
  url: string;
  file: string;
  tools: ToolPaths;
  progress: Progress;
}): Promise<DumpResult> {
  const client = new pg.Client({
    connectionString: options.url,
    application_name: "hookrail-backup",
  });
  await client.connect();
  const temp = tempPathOf(options.file);
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const { rows } = await client.query<{ id: string; at: Date; version: string }>(
      `SELECT pg_export_snapshot() AS id, statement_timestamp() AS at,
              current_setting('server_version') AS version`,
    );
    const snapshot = rows[0];
    if (!snapshot) throw new BackupError("pg_export_snapshot returned nothing");
    options.progress(`postgres: snapshot ${snapshot.id} exported; running pg_dump`);
    const [stats] = await Promise.all([databaseStats(client), runDump(options, snapshot.id, temp)]);
    await client.query("COMMIT");
    await commitFile(temp, options.file);
    return {
      stats,
      snapshotAt: snapshot.at.toISOString(),
      serverVersion: snapshot.version,
    };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function runDump(
  options: { url: string; tools: ToolPaths; progress: Progress },
  snapshotId: string,
  temp: string,
): Promise<void> {
  const conn = libpqConnection(options.url);
  const started = Date.now();
  const ticker = setInterval(async () => {
    const bytes = (await sizeOf(temp).catch(() => undefined)) ?? 0;
    options.progress(
      `postgres: pg_dump ${(bytes / 1e6).toFixed(1)} MB after ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }, 5_000);
  try {
    const run = await runTool(
      pgTool(options.tools, "pg_dump"),
      [
        "--format=custom",
        `--snapshot=${snapshotId}`,
        `--file=${temp}`,
        "--no-password",
        `--dbname=${conn.dbname}`,
      ],
      { env: conn.env },
    );
    if (run.code !== 0)
      throw new BackupError(`pg_dump failed (exit ${run.code}): ${lastLines(run.stderr)}`);
  } finally {
    clearInterval(ticker);
  }
}
