import { readFile } from "node:fs/promises";
import { topology } from "@hookrail/contracts";
import { createScratchDatabase } from "@hookrail/event-store";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { openNats } from "../jetstream/connect.js";
import { restoreStream } from "../jetstream/restore.js";
import { startScratchNats } from "../jetstream/scratch-server.js";
import type { StreamMetadata } from "../jetstream/snapshot.js";
import { fileInBackup } from "../layout.js";
import type { Manifest } from "../manifest.js";
import { eventVersionGaps, projectionDifferences } from "../postgres/invariants.js";
import { restoreDump } from "../postgres/restore.js";
import { type DatabaseStats, databaseStats } from "../postgres/stats.js";
import type { Progress } from "../result.js";
import type { BackupSettings } from "../settings.js";
import type { Checks } from "./report.js";

/** Where a level-3 verification restored the backup; given to {@link VerifyHooks.afterRestore}. */
export interface ScratchCopy {
  databaseUrl: string;
  natsUrl: string;
}

/** Test seams of a verification. */
export interface VerifyHooks {
  /** Runs after the scratch restore, before anything is compared (tests alter the copy here). */
  afterRestore?: (copy: ScratchCopy) => Promise<void>;
}

/**
 * Level 3: restores the backup into a scratch database and a scratch nats-server on a spare
 * port, then compares what came back with the manifest — row counts and content hashes of every
 * table, the last processed sequence, each stream's state and consumers — and checks the
 * invariants: contiguous event versions, projections equal to a replay of the events, and
 * streams that still hold every message a restore would replay. Both scratch copies are removed.
 */
export async function verifyByRestore(
  dir: string,
  manifest: Manifest,
  settings: BackupSettings,
  checks: Checks,
  progress: Progress,
  hooks: VerifyHooks = {},
): Promise<void> {
  const scratch = await createScratchDatabase(
    settings.scratchDatabaseUrl ?? settings.databaseUrl,
    "hookrail_verify",
  );
  const nats = await startScratchNats(settings.tools.natsServerBin).catch(async (error) => {
    await scratch.drop();
    throw error;
  });
  try {
    progress(`verify: restoring into scratch database ${scratch.name} and nats-server ${nats.url}`);
    await restoreDump(fileInBackup(dir, manifest.postgres.dumpFile), scratch.url, settings.tools);
    const nc = await openNats([nats.url], "hookrail-verify");
    try {
      for (const s of manifest.jetstream.streams) {
        const metadata = JSON.parse(
          // eslint-disable-next-line security/detect-non-literal-fs-filename -- metadataFile comes from the manifest, refused unless a plain relative path (BackupFilePath) and opened through fileInBackup, which keeps it under the backup directory (F-11)
          await readFile(fileInBackup(dir, s.metadataFile), "utf8"),
        ) as StreamMetadata;
        await restoreStream(nc, metadata, fileInBackup(dir, s.snapshotFile), progress);
      }
      await hooks.afterRestore?.({ databaseUrl: scratch.url, natsUrl: nats.url });
      progress("verify: comparing the restored copy with the manifest");
      compareDatabase(manifest, await statsOf(scratch.url), checks);
      await compareStreams(manifest, nc, checks);
    } finally {
      await nc.close();
    }
    const gaps = await eventVersionGaps(scratch.url);
    checks.expect(
      "event versions contiguous",
      gaps.length === 0,
      gaps.join("; ") || "every stream's versions run 1..n",
    );
    progress("verify: rebuilding projections from the restored events");
    const differences = await projectionDifferences(scratch.url);
    checks.expect(
      "projections equal a replay",
      differences.length === 0,
      differences.join("; ") || "every projection equals a replay of the restored events",
    );
  } finally {
    await nats.stop();
    await scratch.drop();
  }
}

async function statsOf(url: string): Promise<DatabaseStats> {
  const client = new pg.Client({ connectionString: url, application_name: "hookrail-verify" });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    return await databaseStats(client);
  } finally {
    await client.end();
  }
}

function compareDatabase(manifest: Manifest, restored: DatabaseStats, checks: Checks): void {
  const expected = manifest.postgres.tables;
  const names = [...new Set([...Object.keys(expected), ...Object.keys(restored.tables)])].sort();
  for (const table of names) {
    // eslint-disable-next-line security/detect-object-injection -- a read with a key from Object.keys of the same two records; nothing is assigned
    const want = expected[table];
    // eslint-disable-next-line security/detect-object-injection -- a read with a key from Object.keys of the same two records; nothing is assigned
    const got = restored.tables[table];
    if (!want || !got) {
      checks.failed(
        `table ${table}`,
        `${table} is ${want ? "missing from the restored copy" : "not in the manifest"}`,
      );
    } else if (want.rows !== got.rows) {
      checks.failed(
        `table ${table}`,
        `${table} has ${got.rows} rows restored, the manifest says ${want.rows}`,
      );
    } else {
      checks.expect(
        `table ${table}`,
        want.sha256 === got.sha256,
        want.sha256 === got.sha256
          ? `${got.rows} rows, content hash matches`
          : `${table} content differs from the backup: hash ${got.sha256.slice(0, 12)}…, manifest ${want.sha256.slice(0, 12)}… (${got.rows} rows)`,
      );
    }
  }
  const last = manifest.postgres.lastProcessedSequence;
  checks.expect(
    "last processed sequence",
    restored.lastProcessedSequence === last,
    `restored ${restored.lastProcessedSequence}, manifest ${last}`,
  );
}

async function compareStreams(
  manifest: Manifest,
  nc: Awaited<ReturnType<typeof openNats>>,
  checks: Checks,
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const s of manifest.jetstream.streams) {
    const name = `stream ${s.name}`;
    const { state } = await jsm.streams.info(s.name);
    const want = s.state;
    // An empty stream's first_seq is 0 before its first message and last_seq + 1 after a restore.
    // The manifest holds the state the server reported when the snapshot began; messages stored
    // while it was being written may be in it too (nats-server 2.9 snapshots the live file
    // store). So the restored stream must hold at least those messages, from the same start,
    // and every message it holds beyond them must follow them without a gap.
    const appended = state.last_seq - want.last_seq;
    const same =
      appended >= 0 &&
      state.messages === want.messages + appended &&
      (want.messages === 0 || state.first_seq === want.first_seq) &&
      state.bytes >= want.bytes &&
      (appended > 0 || state.bytes === want.bytes);
    const consumers: string[] = [];
    for await (const c of jsm.consumers.list(s.name)) consumers.push(c.name);
    consumers.sort();
    if (!same) {
      checks.failed(
        name,
        `${s.name} restored with ${state.messages} messages (seq ${state.first_seq}..${state.last_seq}, ${state.bytes} bytes), the manifest says ${want.messages} (seq ${want.first_seq}..${want.last_seq}, ${want.bytes} bytes)`,
      );
    } else {
      checks.expect(
        name,
        consumers.join(",") === s.consumers.join(","),
        consumers.join(",") === s.consumers.join(",")
          ? `${state.messages} messages, seq ${state.first_seq}..${state.last_seq}, consumers ${consumers.join(", ") || "none"}`
          : `${s.name} restored with consumers ${consumers.join(", ")}, the manifest says ${s.consumers.join(", ")}`,
      );
    }
    for (const r of manifest.resume.filter((p) => p.stream === s.name)) {
      const kept = r.startSequence >= state.first_seq || state.messages === 0;
      checks.expect(
        `replay from ${r.durable}`,
        kept,
        kept
          ? `${r.durable} resumes at seq ${r.startSequence}; the stream holds ${state.first_seq}..${state.last_seq}`
          : `${s.name} no longer holds seq ${r.startSequence}..${state.first_seq - 1}, which ${r.durable} would have to replay after a restore`,
      );
    }
  }
  const webhooksName = topology(manifest.jetstream.prefix).streams.webhooks.name;
  const webhooks = manifest.jetstream.streams.find((s) => s.name === webhooksName);
  const last = manifest.postgres.lastProcessedSequence;
  if (webhooks && last !== null)
    checks.expect(
      "postgres within the stream",
      last <= webhooks.state.last_seq,
      `postgres processed up to seq ${last}; ${webhooks.name} holds up to ${webhooks.state.last_seq}`,
    );
}
