import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { isBackupId } from "./id.js";
import { backupPath } from "./layout.js";
import { type Manifest, readManifest } from "./manifest.js";
import { readVerification, type VerificationRecord } from "./verify/verify.js";

/** A directory of BACKUP_DIR, complete (it has its manifest) or not. */
export interface BackupEntry {
  id: string;
  dir: string;
  /** When the backup started (from its id). */
  createdAt: Date;
  complete: boolean;
  /** Why it is not complete (no manifest, or a malformed one). */
  problem?: string;
  manifest?: Manifest;
  verification?: VerificationRecord;
  /** Bytes of every file in its directory. */
  bytes: number;
}

/** Every backup in `backupDir`, newest first. Other entries (the lock, stray files) are ignored. */
export async function listBackups(backupDir: string): Promise<BackupEntry[]> {
  let names: string[];
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- backupDir is BACKUP_DIR from the operator's config, not request input
    names = await readdir(backupDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: BackupEntry[] = [];
  for (const id of names.filter(isBackupId).sort().reverse()) {
    const dir = backupPath(backupDir, id);
    const read = await readManifest(dir);
    const verification = await readVerification(dir);
    entries.push({
      id,
      dir,
      createdAt: createdAtOf(id),
      complete: read.ok,
      ...(read.ok ? { manifest: read.manifest } : { problem: read.error }),
      ...(verification ? { verification } : {}),
      bytes: await directorySize(dir),
    });
  }
  return entries;
}

/** The start time encoded in a backup id. */
export function createdAtOf(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z/.exec(id);
  if (!m) throw new RangeError(`not a backup id: ${id}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
}

/** A backup that passed verification at `minLevel` or above. */
export const isVerified = (entry: BackupEntry, minLevel = 1): boolean =>
  entry.complete && entry.verification?.ok === true && entry.verification.level >= minLevel;

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- dir is a backup directory under BACKUP_DIR (operator config), never from a request
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- entries come from readdir of a backup directory under BACKUP_DIR (operator config), never from a request
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}
