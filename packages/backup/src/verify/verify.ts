import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BackupPathError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
import { isBackupId } from "../id.js";
import { backupPath, VERIFICATION_FILE } from "../layout.js";
import { readManifest } from "../manifest.js";
import { type Progress, reasonOf, silent } from "../result.js";
import type { BackupSettings } from "../settings.js";
import { verifyChecksums } from "./checksums.js";
import { type Check, Checks } from "./report.js";
import { type VerifyHooks, verifyByRestore } from "./scratch-restore.js";
import { verifyStructure } from "./structure.js";

export type VerifyLevel = 1 | 2 | 3;

/** What a verification found; kept beside the backup as verification.json. */
export interface VerificationRecord {
  id: string;
  level: VerifyLevel;
  ok: boolean;
  /** The first failed check's explanation. */
  reason?: string;
  checkedAt: string;
  durationMs: number;
  checks: Check[];
}

export type VerifyOutcome = ({ ok: true } | { ok: false; error: string }) & {
  record: VerificationRecord;
};

/**
 * Verifies backup `id` up to `level` (each level includes the ones below): 1, the sha256 and
 * size of every file; 2, the dump's table of contents and each snapshot decode; 3, a restore
 * into scratch copies that must reproduce the manifest's counts, hashes and stream states and
 * keep the invariants. A level stops at the first level that failed. The record is written
 * beside the backup unless `record: false`.
 */
export async function verifyBackup(
  settings: BackupSettings,
  id: string,
  level: VerifyLevel,
  options: { progress?: Progress; hooks?: VerifyHooks; record?: boolean; now?: () => Date } = {},
): Promise<VerifyOutcome> {
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? silent;
  const started = now();
  const checks = new Checks();
  const dir = backupPath(settings.backupDir, id);
  if (!isBackupId(id)) checks.failed("backup id", `${JSON.stringify(id)} is not a backup id`);
  else await runLevels(settings, dir, level, checks, progress, options.hooks);
  const first = checks.firstFailure;
  const record: VerificationRecord = {
    id,
    level,
    ok: checks.ok,
    ...(first ? { reason: `${first.name}: ${first.detail}` } : {}),
    checkedAt: started.toISOString(),
    durationMs: now().getTime() - started.getTime(),
    checks: checks.list,
  };
  // A directory without a readable manifest is not a backup: nothing to record the result beside.
  const hasManifest = checks.list.some((c) => c.name === "manifest" && c.ok);
  if (options.record !== false && hasManifest)
    await writeFileAtomic(join(dir, VERIFICATION_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return record.ok ? { ok: true, record } : { ok: false, error: record.reason ?? "failed", record };
}

async function runLevels(
  settings: BackupSettings,
  dir: string,
  level: VerifyLevel,
  checks: Checks,
  progress: Progress,
  hooks?: VerifyHooks,
): Promise<void> {
  const read = await readManifest(dir);
  if (!read.ok) {
    checks.failed("manifest", read.error);
    return;
  }
  checks.pass("manifest", `${read.manifest.files.length} files listed`);
  const { manifest } = read;
  try {
    progress(`verify ${manifest.id}: level 1, checksums`);
    await verifyChecksums(dir, manifest, checks);
    if (!checks.ok || level < 2) return;
    progress(`verify ${manifest.id}: level 2, structure`);
    await verifyStructure(dir, manifest, settings.tools, checks);
    if (!checks.ok || level < 3) return;
    progress(`verify ${manifest.id}: level 3, restore into scratch copies`);
    try {
      await verifyByRestore(dir, manifest, settings, checks, progress, hooks);
    } catch (error) {
      if (error instanceof BackupPathError) throw error;
      checks.failed("scratch restore", reasonOf(error));
    }
  } catch (error) {
    // The schema refuses such paths already; this is the guard's answer if one got through.
    if (!(error instanceof BackupPathError)) throw error;
    checks.failed("manifest paths", error.message);
  }
}

/** The verification recorded beside a backup, if any. */
export async function readVerification(dir: string): Promise<VerificationRecord | undefined> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file name inside a backup directory under BACKUP_DIR (operator config), never from a request
    return JSON.parse(await readFile(join(dir, VERIFICATION_FILE), "utf8")) as VerificationRecord;
  } catch {
    return undefined;
  }
}
