/**
 * @hookrail/backup — consistent, verified backups of the Postgres event store and the JetStream
 * streams, their retention, and a restore that resumes processing where the backup ends. The
 * backup-agent service schedules it; its CLI runs it by hand.
 */
export { type BackupEntry, createdAtOf, isVerified, listBackups } from "./catalog.js";
export { type CycleOptions, type CycleReport, runBackupCycle } from "./cycle.js";
export { findNatsServer } from "./env.js";
export { BackupError, BackupPathError } from "./errors.js";
export { isBackupId, newBackupId } from "./id.js";
export { openNats } from "./jetstream/connect.js";
export { inspectSnapshot, type SnapshotContents } from "./jetstream/inspect.js";
export { type ScratchNats, startScratchNats } from "./jetstream/scratch-server.js";
export { backupPath, VERIFICATION_FILE } from "./layout.js";
export { withBackupLock } from "./lock.js";
export { MANIFEST_FILE, type Manifest, type ResumePoint, readManifest } from "./manifest.js";
export { type RestoreOptions, type RestoreReport, restoreBackup, safeUrl } from "./restore.js";
export { fail, type Progress, type Result, silent } from "./result.js";
export {
  planRetention,
  pruneBackups,
  type RetentionCandidate,
  type RetentionPlan,
  type RetentionPolicy,
} from "./retention.js";
export { CronError, type CronExpression, nextCronTime, parseCron } from "./schedule/cron.js";
export { describeSchedule, nextRunAt, type Schedule } from "./schedule/schedule.js";
export { type SchedulerOptions, startScheduler } from "./schedule/scheduler.js";
export type { BackupSettings } from "./settings.js";
export { type TakenBackup, takeBackup } from "./take.js";
export type { ToolPaths } from "./tools.js";
export type { ScratchCopy, VerifyHooks } from "./verify/scratch-restore.js";
export {
  readVerification,
  type VerificationRecord,
  type VerifyLevel,
  type VerifyOutcome,
  verifyBackup,
} from "./verify/verify.js";
