import { randomBytes } from "node:crypto";

const ID = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4}$/;

/**
 * A backup's id: its start time in UTC, to the millisecond, and a random suffix,
 * `20261129T063000.250Z-1a2b`. Ids sort in time order, and name the backup's directory.
 */
export function newBackupId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "");
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

/** True for a string shaped like a backup id (so a path built from it stays inside BACKUP_DIR). */
export const isBackupId = (id: string): boolean => ID.test(id);
