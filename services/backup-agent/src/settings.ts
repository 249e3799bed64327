import {
  type BackupSettings,
  findNatsServer,
  type RetentionPolicy,
  type Schedule,
} from "@hookrail/backup";
import type { BackupAgentConfig } from "./env.js";

const DEFAULT_INTERVAL_MS = 6 * 3_600_000;

/** The backup library's settings, from the parsed environment. */
export function backupSettings(config: BackupAgentConfig): BackupSettings {
  return {
    backupDir: config.BACKUP_DIR,
    databaseUrl: config.DATABASE_URL,
    natsServers: config.NATS_URL,
    natsPrefix: config.NATS_PREFIX,
    ...(config.BACKUP_SCRATCH_DATABASE_URL
      ? { scratchDatabaseUrl: config.BACKUP_SCRATCH_DATABASE_URL }
      : {}),
    tools: {
      natsServerBin: config.NATS_SERVER_BIN ?? findNatsServer(),
      ...(config.PG_BIN_DIR ? { pgBinDir: config.PG_BIN_DIR } : {}),
    },
  };
}

/** BACKUP_CRON if set, else BACKUP_INTERVAL, else every 6 hours. */
export function backupSchedule(config: BackupAgentConfig): Schedule {
  if (config.BACKUP_CRON) return { kind: "cron", cron: config.BACKUP_CRON };
  return { kind: "interval", everyMs: config.BACKUP_INTERVAL ?? DEFAULT_INTERVAL_MS };
}

export function retentionPolicy(config: BackupAgentConfig): RetentionPolicy {
  return {
    keepLast: config.BACKUP_KEEP_LAST,
    keepDaily: config.BACKUP_KEEP_DAILY,
    keepWeekly: config.BACKUP_KEEP_WEEKLY,
  };
}
