import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Durable writes. A file is written under a temporary name beside its final one, fsynced,
 * renamed into place, and its directory fsynced, so after a crash it is either whole or absent.
 */

/** The temporary name a file is written under before {@link commitFile}. */
export const tempPathOf = (path: string): string =>
  join(dirname(path), `.${basename(path)}.partial`);

/** fsyncs `temp`, renames it to `path`, and fsyncs the directory so the rename itself persists. */
export async function commitFile(temp: string, path: string): Promise<void> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- callers pass paths under BACKUP_DIR (operator config), never from a request
  const handle = await open(temp, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- callers pass paths under BACKUP_DIR (operator config), never from a request
  await rename(temp, path);
  await syncDirectory(dirname(path));
}

/** Writes `data` to `path` atomically (temp file, fsync, rename, fsync of the directory). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathOf(path);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- callers pass paths under BACKUP_DIR (operator config), never from a request
  const handle = await open(temp, "w", 0o640);
  try {
    await handle.writeFile(data);
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await commitFile(temp, path);
}

/** fsyncs a directory: its entries (new files, renames) survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- callers pass paths under BACKUP_DIR (operator config), never from a request
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The sha256 (hex) and size of a file, read as a stream. */
export async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- callers pass paths under BACKUP_DIR (operator config), never from a request
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** The size of a file, or undefined when it does not exist. */
export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- callers pass paths under BACKUP_DIR (operator config), never from a request
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
