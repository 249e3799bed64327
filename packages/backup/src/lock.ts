import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fail, type Result } from "./result.js";

const LOCK_FILE = ".lock";

/**
 * Runs `fn` while holding BACKUP_DIR's lock, so a manual `backup run` and the agent never write
 * or prune at the same time. A lock left by a process that no longer exists is taken over.
 */
export async function withBackupLock<T>(
  backupDir: string,
  fn: () => Promise<T>,
): Promise<Result<{ value: T }>> {
  const path = join(backupDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the lock file inside BACKUP_DIR (operator config), a fixed name
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      try {
        return { ok: true, value: await fn() };
      } finally {
        await rm(path, { force: true });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the lock file inside BACKUP_DIR (operator config), a fixed name
      const holder = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (holder && holder !== process.pid && alive(holder))
        return fail(`another backup job (pid ${holder}) holds ${path}`);
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  return fail(`cannot take the lock ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
