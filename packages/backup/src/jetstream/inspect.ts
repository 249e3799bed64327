import { createReadStream } from "node:fs";
import { fail, type Result, reasonOf } from "../result.js";
import { decodeS2Stream } from "./s2.js";
import { tarEntries } from "./tar.js";

export interface SnapshotContents {
  /** Members of the tar inside the snapshot. */
  entries: number;
  uncompressedBytes: number;
  /** Message block files (`msgs/*.blk`). */
  blocks: number;
  /** Durable consumers stored in the snapshot (`obs/<name>/`), sorted. */
  consumers: string[];
}

/**
 * Reads a stream snapshot end to end: S2 framing and checksums, then the tar inside, which must
 * hold the stream's metadata. A flipped or missing byte anywhere fails here.
 */
export async function inspectSnapshot(file: string): Promise<Result<SnapshotContents>> {
  let uncompressedBytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a snapshot file in a backup directory under BACKUP_DIR (operator config), never from a request
    for await (const chunk of decodeS2Stream(createReadStream(file, { highWaterMark: 1 << 20 }))) {
      uncompressedBytes += chunk.length;
      yield chunk;
    }
  }
  let entries = 0;
  let blocks = 0;
  let meta = false;
  const consumers = new Set<string>();
  try {
    for await (const entry of tarEntries(counted())) {
      entries++;
      if (entry.name === "meta.inf") meta = true;
      if (/^msgs\/[^/]+\.blk$/.test(entry.name)) blocks++;
      const consumer = /^obs\/([^/]+)\/meta\.inf$/.exec(entry.name)?.[1];
      if (consumer) consumers.add(consumer);
    }
  } catch (error) {
    return fail(`snapshot ${file} is unreadable: ${reasonOf(error)}`);
  }
  if (!meta) return fail(`snapshot ${file} has no meta.inf: not a stream snapshot`);
  return { ok: true, entries, uncompressedBytes, blocks, consumers: [...consumers].sort() };
}
