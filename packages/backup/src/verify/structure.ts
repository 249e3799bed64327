import { readFile } from "node:fs/promises";
import { inspectSnapshot } from "../jetstream/inspect.js";
import type { StreamMetadata } from "../jetstream/snapshot.js";
import { fileInBackup } from "../layout.js";
import type { Manifest, StreamBackup } from "../manifest.js";
import { listDump } from "../postgres/restore.js";
import type { ToolPaths } from "../tools.js";
import type { Checks } from "./report.js";

/**
 * Level 2: the files are what they claim to be. The dump's table of contents parses and holds
 * the data of every table; each snapshot decodes end to end (S2 checksums, tar headers) and its
 * metadata names the stream and the state the manifest recorded.
 */
export async function verifyStructure(
  dir: string,
  manifest: Manifest,
  tools: ToolPaths,
  checks: Checks,
): Promise<void> {
  const toc = await listDump(fileInBackup(dir, manifest.postgres.dumpFile), tools);
  if (!toc.ok) checks.failed("pg_restore --list", toc.error);
  else {
    const missing = Object.keys(manifest.postgres.tables).filter((t) => {
      const [schema, name] = t.split(".");
      return !toc.toc.some((line) => line.includes(` TABLE DATA ${schema} ${name} `));
    });
    checks.expect(
      "pg_restore --list",
      missing.length === 0,
      missing.length === 0
        ? `${toc.toc.length} entries; data of all ${Object.keys(manifest.postgres.tables).length} tables`
        : `the dump has no data entry for ${missing.join(", ")}`,
    );
  }
  for (const s of manifest.jetstream.streams) await verifyStream(dir, s, checks);
}

async function verifyStream(dir: string, s: StreamBackup, checks: Checks): Promise<void> {
  const name = `snapshot ${s.name}`;
  let metadata: StreamMetadata;
  const metadataPath = fileInBackup(dir, s.metadataFile);
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- metadataFile comes from the manifest, refused unless a plain relative path (BackupFilePath) and opened through fileInBackup, which keeps it under the backup directory (F-11)
    metadata = JSON.parse(await readFile(metadataPath, "utf8")) as StreamMetadata;
  } catch (error) {
    checks.failed(name, `${s.metadataFile} is unreadable: ${(error as Error).message}`);
    return;
  }
  const st = metadata.state;
  if (
    metadata.config?.name !== s.name ||
    st?.messages !== s.state.messages ||
    st.last_seq !== s.state.last_seq ||
    st.first_seq !== s.state.first_seq
  ) {
    checks.failed(name, `${s.metadataFile} does not describe the stream the manifest recorded`);
    return;
  }
  const contents = await inspectSnapshot(fileInBackup(dir, s.snapshotFile));
  if (!contents.ok) {
    checks.failed(name, contents.error);
    return;
  }
  const sameConsumers = contents.consumers.join(",") === s.consumers.join(",");
  checks.expect(
    name,
    sameConsumers,
    sameConsumers
      ? `${contents.entries} files, ${contents.blocks} message blocks, ${(contents.uncompressedBytes / 1e6).toFixed(1)} MB uncompressed, consumers ${s.consumers.join(", ") || "none"}`
      : `the snapshot holds consumers ${contents.consumers.join(", ")}, the manifest ${s.consumers.join(", ")}`,
  );
}
