import type { ToolPaths } from "./tools.js";

/** What every backup operation needs to know; the service builds it from its environment. */
export interface BackupSettings {
  /** Where backups are written, one directory each (BACKUP_DIR). */
  backupDir: string;
  /** The event store that is backed up (and, by default, restored into). */
  databaseUrl: string;
  /** NATS servers of the streams. */
  natsServers: readonly string[];
  /** Stream-name prefix (NATS_PREFIX): which streams are backed up. */
  natsPrefix: string;
  /** Level-3 verification creates its scratch databases on this server (default: databaseUrl's). */
  scratchDatabaseUrl?: string;
  tools: ToolPaths;
}
