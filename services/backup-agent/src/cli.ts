import { parseArgs } from "node:util";
import {
  type BackupSettings,
  listBackups,
  openNats,
  pruneBackups,
  restoreBackup,
  runBackupCycle,
  type VerifyLevel,
  verifyBackup,
} from "@hookrail/backup";
import { ConfigError } from "@hookrail/config";
import { type BackupAgentConfig, parseBackupAgentConfig } from "./env.js";
import { formatChecks, formatList, mb, seconds } from "./format.js";
import { backupSettings, retentionPolicy } from "./settings.js";

export const USAGE = `usage: pnpm backup <command>
  run [--verify-level N] [--json]      take a backup now and verify it (default BACKUP_VERIFY_LEVEL, 3)
  list [--json]                        the backups in BACKUP_DIR, newest first
  verify <id> [--level N] [--json]     verify a backup: 1 checksums, 2 structure, 3 scratch restore (default 3)
  restore <id> [--force] [--target-database-url URL] [--json]
                                       restore Postgres and the streams, resume processing after the backup
  prune                                apply retention (BACKUP_KEEP_LAST/DAILY/WEEKLY) now
Progress goes to stderr; results to stdout. Exit 0 only on success.`;

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs one CLI command; resolves with the exit code (0 success, 1 failure, 2 usage, 78 config). */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr(`backup: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { command, ids, values } = parsed;
  if (!command || command === "help") {
    io.stderr(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  let config: BackupAgentConfig;
  try {
    config = parseBackupAgentConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`backup: ${error.message}\n`);
    return 78;
  }
  const started = Date.now();
  const progress = (line: string) =>
    io.stderr(`[${seconds(Date.now() - started).padStart(7)}] ${line}\n`);
  const ctx = {
    settings: backupSettings(config),
    config,
    io,
    progress,
    json: values.json === true,
  };
  try {
    switch (command) {
      case "run":
        return await run(ctx, level(values["verify-level"], config.BACKUP_VERIFY_LEVEL, 0));
      case "list":
        return await list(ctx);
      case "verify":
        return await verify(ctx, one(ids), level(values.level, 3, 1) as VerifyLevel);
      case "restore":
        return await restore(ctx, one(ids), values.force === true, values["target-database-url"]);
      case "prune":
        return await prune(ctx);
      default:
        io.stderr(`backup: unknown command ${command}\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`backup: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    io.stderr(`backup: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

interface Ctx {
  settings: BackupSettings;
  config: BackupAgentConfig;
  io: CliIo;
  progress: (line: string) => void;
  json: boolean;
}

async function run(ctx: Ctx, verifyLevel: number): Promise<number> {
  const nc = await openNats(ctx.settings.natsServers, "hookrail-backup-cli");
  try {
    const report = await runBackupCycle(ctx.settings, nc, {
      verifyLevel: verifyLevel as 0 | VerifyLevel,
      progress: ctx.progress,
    });
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(report)}\n`);
    else if (report.id)
      ctx.io.stdout(
        `${report.id}  ${mb(report.backup?.bytes ?? 0)}  backup ${seconds(report.backup?.durationMs ?? 0)}` +
          (report.verify
            ? `  verify L${report.verify.level} ${report.verify.ok ? "ok" : "FAILED"} ${seconds(report.verify.durationMs)}`
            : "") +
          "\n",
      );
    if (!report.ok) ctx.io.stderr(`backup: ${report.error}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await nc.close();
  }
}

async function list(ctx: Ctx): Promise<number> {
  const entries = await listBackups(ctx.settings.backupDir);
  ctx.io.stdout(
    ctx.json
      ? `${JSON.stringify(entries.map(({ manifest: _m, ...e }) => e))}\n`
      : formatList(entries),
  );
  return 0;
}

async function verify(ctx: Ctx, id: string, verifyLevel: VerifyLevel): Promise<number> {
  const outcome = await verifyBackup(ctx.settings, id, verifyLevel, { progress: ctx.progress });
  ctx.io.stdout(ctx.json ? `${JSON.stringify(outcome.record)}\n` : formatChecks(outcome.record));
  if (!outcome.ok) ctx.io.stderr(`backup: verification of ${id} FAILED: ${outcome.error}\n`);
  return outcome.ok ? 0 : 1;
}

async function restore(ctx: Ctx, id: string, force: boolean, target?: string): Promise<number> {
  const nc = await openNats(ctx.settings.natsServers, "hookrail-backup-cli");
  try {
    const outcome = await restoreBackup(ctx.settings, id, nc, {
      force,
      progress: ctx.progress,
      ...(target ? { targetDatabaseUrl: target } : {}),
    });
    if (!outcome.ok) {
      ctx.io.stderr(`backup: ${outcome.error}\n`);
      return 1;
    }
    const { ok: _ok, ...report } = outcome;
    ctx.io.stdout(
      ctx.json
        ? `${JSON.stringify(report)}\n`
        : `restored ${id} into database ${report.database} in ${seconds(report.durationMs)}; start the services: processing resumes at ${report.resumed.map((r) => `${r.durable} seq ${r.startSequence}`).join(", ")}\n`,
    );
    return 0;
  } finally {
    await nc.close();
  }
}

async function prune(ctx: Ctx): Promise<number> {
  const level = ctx.config.BACKUP_VERIFY_LEVEL || 1;
  const { plan } = await pruneBackups(ctx.settings.backupDir, retentionPolicy(ctx.config), level);
  ctx.io.stdout(plan.prune.length ? `removed ${plan.prune.join(" ")}\n` : "nothing to remove\n");
  return 0;
}

class UsageError extends Error {}

function parse(args: readonly string[]) {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      force: { type: "boolean" },
      level: { type: "string" },
      "verify-level": { type: "string" },
      "target-database-url": { type: "string" },
    },
  });
  const [command, ...ids] = positionals;
  return { command, ids, values };
}

function one(ids: string[]): string {
  if (ids.length !== 1 || !ids[0])
    throw new UsageError("give exactly one backup id (see `pnpm backup list`)");
  return ids[0];
}

function level(given: string | undefined, fallback: number, min: number): number {
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!Number.isInteger(n) || n < min || n > 3)
    throw new UsageError(`level must be ${min}-3, got ${given}`);
  return n;
}
