import type { NatsConnection } from "@nats-io/nats-core";
import { withBackupLock } from "./lock.js";
import { type Progress, reasonOf, silent } from "./result.js";
import { pruneBackups, type RetentionPolicy } from "./retention.js";
import type { BackupSettings } from "./settings.js";
import { takeBackup } from "./take.js";
import { type VerifyLevel, verifyBackup } from "./verify/verify.js";

/** What one scheduled (or `backup run`) cycle did; the agent turns it into metrics. */
export interface CycleReport {
  ok: boolean;
  /** Why the cycle failed: the backup, its verification, or the lock. */
  error?: string;
  id?: string;
  backup?: { ok: boolean; durationMs: number; bytes: number; completedAt?: string };
  verify?: { ok: boolean; level: VerifyLevel; durationMs: number; reason?: string };
  /** Backups removed by retention (only after this one verified). */
  pruned: string[];
}

export interface CycleOptions {
  /** 0 skips verification (not recommended: retention then never prunes). */
  verifyLevel: 0 | VerifyLevel;
  /** Apply retention after a verified backup; omitted: keep everything. */
  retention?: RetentionPolicy;
  progress?: Progress;
}

/**
 * One backup cycle under BACKUP_DIR's lock: take a backup, verify it at the configured level,
 * and only when it verified apply retention — so a backup is never pruned in favour of one that
 * has not been shown to restore.
 */
export async function runBackupCycle(
  settings: BackupSettings,
  nc: NatsConnection,
  options: CycleOptions,
): Promise<CycleReport> {
  try {
    return await cycle(settings, nc, options);
  } catch (error) {
    // BACKUP_DIR unwritable, a verification that could not even start: still a report.
    return { ok: false, error: `backup cycle failed: ${reasonOf(error)}`, pruned: [] };
  }
}

async function cycle(
  settings: BackupSettings,
  nc: NatsConnection,
  options: CycleOptions,
): Promise<CycleReport> {
  const locked = await withBackupLock(settings.backupDir, () => lockedCycle(settings, nc, options));
  return locked.ok ? locked.value : { ok: false, error: locked.error, pruned: [] };
}

async function lockedCycle(
  settings: BackupSettings,
  nc: NatsConnection,
  options: CycleOptions,
): Promise<CycleReport> {
  const progress = options.progress ?? silent;
  const started = Date.now();
  const taken = await takeBackup(settings, nc, { progress });
  if (!taken.ok) {
    const backup = { ok: false, durationMs: Date.now() - started, bytes: 0 };
    return { ok: false, error: taken.error, backup, pruned: [] };
  }
  const { id, manifest } = taken;
  const backup = {
    ok: true,
    durationMs: taken.durationMs,
    bytes: taken.bytes,
    completedAt: manifest.completedAt,
  };
  if (options.verifyLevel === 0) return { ok: true, id, backup, pruned: [] };

  const verified = await verifyBackup(settings, id, options.verifyLevel, { progress });
  const verify = {
    ok: verified.ok,
    level: options.verifyLevel,
    durationMs: verified.record.durationMs,
    ...(verified.ok ? {} : { reason: verified.error }),
  };
  if (!verified.ok) {
    const error = `backup ${id} failed verification: ${verified.error}`;
    return { ok: false, error, id, backup, verify, pruned: [] };
  }
  let pruned: string[] = [];
  if (options.retention) {
    pruned = (await pruneBackups(settings.backupDir, options.retention, options.verifyLevel)).plan
      .prune;
    if (pruned.length > 0) progress(`retention: removed ${pruned.join(", ")}`);
  }
  return { ok: true, id, backup, verify, pruned };
}
