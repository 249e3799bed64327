import { mkdir, readdir, rm } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { type Topology, topology } from "@hookrail/contracts";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { digestFile, syncDirectory, writeFileAtomic } from "./files.js";
import { newBackupId } from "./id.js";
import { ackFloorOf } from "./jetstream/consumers.js";
import { inspectSnapshot } from "./jetstream/inspect.js";
import { snapshotStream } from "./jetstream/snapshot.js";
import {
  backupPath,
  DUMP_FILE,
  hookrailVersion,
  MANIFEST_EXCLUDED,
  metadataFileOf,
  snapshotFileOf,
} from "./layout.js";
import {
  type FileEntry,
  MANIFEST_FORMAT,
  type Manifest,
  type ResumePoint,
  type StreamBackup,
  writeManifest,
} from "./manifest.js";
import { dumpDatabase } from "./postgres/dump.js";
import { fail, type Progress, type Result, reasonOf, silent } from "./result.js";
import type { BackupSettings } from "./settings.js";
import { pgTool, toolVersion } from "./tools.js";

export interface TakenBackup {
  id: string;
  dir: string;
  manifest: Manifest;
  /** Size of every file of the backup, manifest included. */
  bytes: number;
  durationMs: number;
}

interface Floor {
  stream: string;
  durable: string;
  ackFloor: number | null;
  processor: boolean;
}

/**
 * Takes one backup into `<backupDir>/<id>/`: the consumers' ack floors, then a consistent
 * Postgres dump with its counts and hashes, then a snapshot of every stream, and the manifest
 * last. On failure the partial directory is removed and the reason returned.
 */
export async function takeBackup(
  settings: BackupSettings,
  nc: NatsConnection,
  options: { progress?: Progress; now?: () => Date } = {},
): Promise<Result<TakenBackup>> {
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? silent;
  const started = now();
  const id = newBackupId(started);
  const dir = backupPath(settings.backupDir, id);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path in a new backup directory under BACKUP_DIR (operator config), never from a request
  await mkdir(join(dir, "jetstream"), { recursive: true });
  await syncDirectory(settings.backupDir);
  try {
    progress(`backup ${id}: started in ${dir}`);
    const manifest = await capture(settings, nc, id, dir, started, now, progress);
    await writeManifest(dir, manifest);
    const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0) + (await manifestSize(dir));
    const durationMs = now().getTime() - started.getTime();
    progress(
      `backup ${id}: complete, ${(bytes / 1e6).toFixed(1)} MB in ${(durationMs / 1000).toFixed(1)} s`,
    );
    return { ok: true, id, dir, manifest, bytes, durationMs };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    return fail(`backup ${id} failed: ${reasonOf(error)}`);
  }
}

async function capture(
  settings: BackupSettings,
  nc: NatsConnection,
  id: string,
  dir: string,
  started: Date,
  now: () => Date,
  progress: Progress,
): Promise<Manifest> {
  const topo = topology(settings.natsPrefix);
  const jsm = await jetstreamManager(nc);
  // Read before the Postgres snapshot: whatever a consumer acked by now was committed before it.
  const floors = await ackFloors(jsm, topo);
  const dump = await dumpDatabase({
    url: settings.databaseUrl,
    file: join(dir, DUMP_FILE),
    tools: settings.tools,
    progress,
  });
  const tableCount = Object.keys(dump.stats.tables).length;
  progress(`postgres: dump written; ${tableCount} tables counted and hashed`);
  // Downstream first: every delivery request in the DELIVERIES snapshot then belongs to a
  // webhook that is in Postgres or in the WEBHOOKS snapshot taken after it.
  const streams: StreamBackup[] = [];
  for (const s of [topo.streams.deliveries, topo.streams.webhooks])
    streams.push(await backupStream(nc, dir, s.name, progress));
  const lastProcessed = dump.stats.lastProcessedSequence;
  return {
    format: MANIFEST_FORMAT,
    id,
    startedAt: started.toISOString(),
    completedAt: now().toISOString(),
    versions: {
      hookrail: await hookrailVersion(),
      node: process.version,
      pgDump: await toolVersion(pgTool(settings.tools, "pg_dump")),
      postgresServer: dump.serverVersion,
      natsServer: nc.info?.version ?? "unknown",
    },
    postgres: {
      database: new URL(settings.databaseUrl).pathname.slice(1),
      dumpFile: DUMP_FILE,
      snapshotAt: dump.snapshotAt,
      tables: dump.stats.tables,
      lastProcessedSequence: lastProcessed,
    },
    jetstream: { prefix: settings.natsPrefix, streams },
    resume: resumePoints(floors, streams, lastProcessed),
    files: await digests(dir),
  };
}

async function ackFloors(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  topo: Topology,
): Promise<Floor[]> {
  const floors: Floor[] = [];
  for (const [key, c] of Object.entries(topo.consumers)) {
    const ackFloor = await ackFloorOf(jsm, c.stream, c.durable);
    floors.push({ stream: c.stream, durable: c.durable, ackFloor, processor: key === "processor" });
  }
  return floors;
}

async function backupStream(
  nc: NatsConnection,
  dir: string,
  stream: string,
  progress: Progress,
): Promise<StreamBackup> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path in a new backup directory under BACKUP_DIR (operator config), never from a request
  await mkdir(join(dir, "jetstream", stream), { recursive: true });
  progress(`jetstream: snapshot of ${stream}`);
  const snapshotFile = snapshotFileOf(stream);
  const metadataFile = metadataFileOf(stream);
  const outcome = await snapshotStream(nc, stream, join(dir, snapshotFile), progress);
  await writeFileAtomic(join(dir, metadataFile), `${JSON.stringify(outcome.metadata, null, 2)}\n`);
  // Read it back at once: a snapshot that does not decode is a failed backup, not a later surprise.
  const contents = await inspectSnapshot(join(dir, snapshotFile));
  if (!contents.ok) throw new Error(contents.error);
  const { messages, bytes, first_seq, last_seq, consumer_count } = outcome.metadata.state;
  progress(
    `jetstream: ${stream} ${messages} messages (seq ${first_seq}..${last_seq}), ${(outcome.bytes / 1e6).toFixed(1)} MB`,
  );
  return {
    name: stream,
    snapshotFile,
    metadataFile,
    state: { messages, bytes, first_seq, last_seq, consumer_count },
    consumers: contents.consumers,
    requestedAt: outcome.requestedAt,
    snapshotAt: outcome.snapshotAt,
  };
}

/**
 * Where each consumer restarts after a restore. Postgres is the older of the two copies, so each
 * consumer goes back to what Postgres is known to hold: its ack floor read before the snapshot
 * (acks come after commits), and for the processor also the last sequence it stored — the lower
 * of the two, since a batch retried out of order leaves gaps below the highest sequence. Anything
 * replayed twice is absorbed by idempotent inserts (processor) and the attempt check (notifier).
 */
export function resumePoints(
  floors: readonly Floor[],
  streams: readonly StreamBackup[],
  lastProcessed: number | null,
): ResumePoint[] {
  return floors
    .filter((f) => streams.some((s) => s.name === f.stream && s.consumers.includes(f.durable)))
    .map((f) => {
      const known = f.processor ? [f.ackFloor, lastProcessed] : [f.ackFloor];
      const values = known.filter((v): v is number => v !== null);
      const base = values.length > 0 ? Math.min(...values) : 0;
      return {
        stream: f.stream,
        durable: f.durable,
        ackFloor: f.ackFloor,
        startSequence: base + 1,
      };
    });
}

async function digests(dir: string): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a path in a new backup directory under BACKUP_DIR (operator config), never from a request
  for (const name of (await readdir(dir, { recursive: true, withFileTypes: true })).sort((a, b) =>
    join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)),
  )) {
    if (!name.isFile()) continue;
    const path = relative(dir, join(name.parentPath, name.name)).split(sep).join("/");
    if (MANIFEST_EXCLUDED.has(path) || name.name.startsWith(".")) continue;
    entries.push({ path, ...(await digestFile(join(dir, path))) });
  }
  return entries;
}

async function manifestSize(dir: string): Promise<number> {
  return (await digestFile(join(dir, "manifest.json"))).bytes;
}
