import { readFile } from "node:fs/promises";
import { dropDatabase, ensureDatabase } from "@hookrail/event-store";
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { restartConsumerAt } from "./jetstream/consumers.js";
import { restoreStream } from "./jetstream/restore.js";
import type { StreamMetadata } from "./jetstream/snapshot.js";
import { backupPath, fileInBackup } from "./layout.js";
import { type Manifest, readManifest } from "./manifest.js";
import { inspectTarget, restoreDump } from "./postgres/restore.js";
import { fail, type Progress, type Result, reasonOf, silent } from "./result.js";
import type { BackupSettings } from "./settings.js";
import { verifyBackup } from "./verify/verify.js";

export interface RestoreOptions {
  /** The database to restore into; default the settings' DATABASE_URL. */
  targetDatabaseUrl?: string;
  /** Replace a non-empty database and existing streams. */
  force?: boolean;
  progress?: Progress;
}

export interface RestoreReport {
  id: string;
  database: string;
  streams: Array<{ name: string; messages: number; lastSeq: number }>;
  /** Where each consumer resumes, and how many stored messages it will see again. */
  resumed: Array<{ stream: string; durable: string; startSequence: number; replay: number }>;
  durationMs: number;
}

/**
 * Restores backup `id`: checks it (levels 1 and 2) and the targets first, then loads the dump
 * into the target database, restores every stream, and restarts each durable consumer at its
 * resume point so that processing picks up where the Postgres copy ends. Refuses a target
 * database with rows, or streams that exist, unless `force` — which drops them.
 * The services must be stopped while it runs.
 */
export async function restoreBackup(
  settings: BackupSettings,
  id: string,
  nc: NatsConnection,
  options: RestoreOptions = {},
): Promise<Result<RestoreReport>> {
  const progress = options.progress ?? silent;
  const started = Date.now();
  const target = options.targetDatabaseUrl ?? settings.databaseUrl;
  try {
    const checked = await verifyBackup(settings, id, 2, { progress, record: false });
    if (!checked.ok)
      return fail(`backup ${id} failed its checks, not restoring it: ${checked.error}`);
    const dir = backupPath(settings.backupDir, id);
    const read = await readManifest(dir);
    if (!read.ok) return fail(read.error);
    const { manifest } = read;
    const refusal = await preflight(manifest, settings, target, nc, options.force === true);
    if (refusal) return fail(refusal);

    progress(`restore ${id}: postgres into ${safeUrl(target)}`);
    await dropDatabase(target);
    await ensureDatabase(target);
    await restoreDump(fileInBackup(dir, manifest.postgres.dumpFile), target, settings.tools);
    progress(`restore ${id}: postgres restored (${tableSummary(manifest)})`);

    const jsm = await jetstreamManager(nc);
    for (const s of manifest.jetstream.streams) {
      if (await streamExists(nc, s.name)) await jsm.streams.delete(s.name);
      progress(`restore ${id}: stream ${s.name} (${s.state.messages} messages)`);
      const metadata = JSON.parse(
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- metadataFile comes from the manifest, refused unless a plain relative path (BackupFilePath) and opened through fileInBackup, which keeps it under the backup directory (F-11)
        await readFile(fileInBackup(dir, s.metadataFile), "utf8"),
      ) as StreamMetadata;
      await restoreStream(nc, metadata, fileInBackup(dir, s.snapshotFile), progress);
    }
    const resumed: RestoreReport["resumed"] = [];
    for (const r of manifest.resume) {
      if (!(await restartConsumerAt(jsm, r.stream, r.durable, r.startSequence))) continue;
      // Messages of the consumer's own subjects from the resume point on.
      const replay = (await jsm.consumers.info(r.stream, r.durable)).num_pending;
      resumed.push({
        stream: r.stream,
        durable: r.durable,
        startSequence: r.startSequence,
        replay,
      });
      progress(
        `restore ${id}: ${r.stream}/${r.durable} resumes at seq ${r.startSequence} (${replay} stored messages to see again)`,
      );
    }
    return {
      ok: true,
      id,
      database: new URL(target).pathname.slice(1),
      streams: manifest.jetstream.streams.map((s) => ({
        name: s.name,
        messages: s.state.messages,
        lastSeq: s.state.last_seq,
      })),
      resumed,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    return fail(`restore of ${id} failed: ${reasonOf(error)}`);
  }
}

/** Every reason to refuse, found before anything is changed. */
async function preflight(
  manifest: Manifest,
  settings: BackupSettings,
  target: string,
  nc: NatsConnection,
  force: boolean,
): Promise<string | undefined> {
  if (manifest.jetstream.prefix !== settings.natsPrefix)
    return `backup ${manifest.id} holds the streams of prefix "${manifest.jetstream.prefix}", but NATS_PREFIX is "${settings.natsPrefix}"`;
  if (force) return undefined;
  const state = await inspectTarget(target);
  if (state.nonEmptyTables.length > 0)
    return `the target database ${safeUrl(target)} is not empty (rows in ${state.nonEmptyTables.join(", ")}); stop the services and pass --force to replace it`;
  const existing: string[] = [];
  for (const s of manifest.jetstream.streams)
    if (await streamExists(nc, s.name)) existing.push(s.name);
  if (existing.length > 0)
    return `stream${existing.length > 1 ? "s" : ""} ${existing.join(", ")} already exist${existing.length > 1 ? "" : "s"}; pass --force to replace ${existing.length > 1 ? "them" : "it"}`;
  return undefined;
}

async function streamExists(nc: NatsConnection, name: string): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(name);
    return true;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
      return false;
    throw error;
  }
}

function tableSummary(manifest: Manifest): string {
  const tables = Object.entries(manifest.postgres.tables);
  return `${tables.length} tables, ${tables.reduce((n, [, t]) => n + t.rows, 0)} rows`;
}

/** A URL fit for a message: without its password. */
export function safeUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
