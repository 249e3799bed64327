import pg from "pg";
import { BackupError } from "../errors.js";
import { fail, type Result } from "../result.js";
import { lastLines, libpqConnection, pgTool, runTool, type ToolPaths } from "../tools.js";
import { ident } from "./stats.js";

/** `pg_restore --list`: the dump's table of contents, which parses only if the archive is whole. */
export async function listDump(file: string, tools: ToolPaths): Promise<Result<{ toc: string[] }>> {
  const run = await runTool(pgTool(tools, "pg_restore"), ["--list", file]);
  if (run.code !== 0) return fail(`pg_restore --list failed: ${lastLines(run.stderr)}`);
  const toc = run.stdout.split("\n").filter((line) => line.trim() && !line.startsWith(";"));
  return { ok: true, toc };
}

/**
 * Loads a dump into an existing, empty database, in one transaction: it all loads, or nothing
 * does. Owners and grants are not restored (the target's roles may differ).
 */
export async function restoreDump(file: string, url: string, tools: ToolPaths): Promise<void> {
  const conn = libpqConnection(url);
  const run = await runTool(
    pgTool(tools, "pg_restore"),
    [
      "--exit-on-error",
      "--single-transaction",
      "--no-owner",
      "--no-privileges",
      "--no-password",
      `--dbname=${conn.dbname}`,
      file,
    ],
    { env: conn.env },
  );
  if (run.code !== 0)
    throw new BackupError(`pg_restore failed (exit ${run.code}): ${lastLines(run.stderr)}`);
}

/** What a restore target holds: nothing (absent), or tables with rows. */
export interface TargetState {
  exists: boolean;
  /** Tables with at least one row (schema migrations do not count). */
  nonEmptyTables: string[];
}

const IGNORED = new Set(["public.kysely_migration", "public.kysely_migration_lock"]);

/** Looks at a restore target without changing it. */
export async function inspectTarget(url: string): Promise<TargetState> {
  const client = new pg.Client({ connectionString: url, application_name: "hookrail-restore" });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === "3D000") return { exists: false, nonEmptyTables: [] };
    throw new BackupError(`cannot connect to the restore target: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const { rows } = await client.query<{ schema: string; name: string }>(`
      SELECT n.nspname AS schema, c.relname AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'
        AND n.nspname NOT LIKE 'pg\\_%'`);
    const nonEmptyTables: string[] = [];
    for (const t of rows) {
      const name = `${t.schema}.${t.name}`;
      if (IGNORED.has(name)) continue;
      const found = await client.query(`SELECT 1 FROM ${ident(t.schema)}.${ident(t.name)} LIMIT 1`);
      if (found.rowCount) nonEmptyTables.push(name);
    }
    return { exists: true, nonEmptyTables: nonEmptyTables.sort() };
  } finally {
    await client.end().catch(() => undefined);
  }
}
