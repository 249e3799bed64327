import { type CycleReport, isVerified, listBackups } from "@hookrail/backup";
import {
  backupDuration,
  backupLastSuccessTimestamp,
  backupLastVerificationOk,
  backupSize,
} from "@hookrail/observability";

/**
 * Sets the gauges from what BACKUP_DIR already holds, so a restarted agent reports the truth at
 * once: the last good backup's time (0 when there is none, which BackupStale then reports), the
 * latest verification's result, the latest backup's size.
 */
export async function recordExistingBackups(backupDir: string, verifyLevel: number): Promise<void> {
  const entries = await listBackups(backupDir);
  const good = entries.find((e) => (verifyLevel === 0 ? e.complete : isVerified(e, verifyLevel)));
  const completedAt = good?.manifest?.completedAt;
  backupLastSuccessTimestamp().record(completedAt ? Date.parse(completedAt) / 1000 : 0);
  const checked = entries.find((e) => e.complete && e.verification);
  if (checked?.verification) backupLastVerificationOk().record(checked.verification.ok ? 1 : 0);
  const latest = entries.find((e) => e.complete);
  if (latest) backupSize().record(latest.bytes);
}

/** Records one cycle: phase durations, size, verification result, and success time. */
export function recordCycle(report: CycleReport): void {
  if (report.backup) backupDuration().record(report.backup.durationMs / 1000, { phase: "backup" });
  if (report.backup?.ok) backupSize().record(report.backup.bytes);
  if (report.verify) {
    backupDuration().record(report.verify.durationMs / 1000, { phase: "verify" });
    backupLastVerificationOk().record(report.verify.ok ? 1 : 0);
  }
  if (report.ok && report.backup?.completedAt)
    backupLastSuccessTimestamp().record(Date.parse(report.backup.completedAt) / 1000);
}
