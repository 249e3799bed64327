import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./files.js";
import { backupPathProblem } from "./layout.js";
import { fail, type Result } from "./result.js";

/** Name of the completion marker: a backup directory without it is incomplete. */
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_FORMAT = "hookrail-backup/1";

/**
 * A file of the backup, relative to its directory, `/`-separated: never absolute, no `..`, no
 * backslash, no NUL (F-11). Every path a manifest names is one, and is still opened only
 * through `fileInBackup`.
 */
export const BackupFilePath = z.string().superRefine((path, ctx) => {
  const problem = backupPathProblem(path);
  if (problem)
    ctx.addIssue({ code: "custom", message: `not a path inside the backup: ${problem}` });
});

const FileEntry = z.object({
  path: BackupFilePath,
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const TableStats = z.object({
  rows: z.number().int().nonnegative(),
  /** sha256 over the rows in primary-key order; see postgres/stats.ts for the exact recipe. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const StreamState = z.object({
  messages: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  first_seq: z.number().int().nonnegative(),
  last_seq: z.number().int().nonnegative(),
  consumer_count: z.number().int().nonnegative(),
});

const StreamBackup = z.object({
  name: z.string().min(1),
  /** The snapshot in the server's own format (s2-compressed tar), as `nats stream restore` reads it. */
  snapshotFile: BackupFilePath,
  /** `{config, state}` as the server answered the snapshot request (natscli's backup.json). */
  metadataFile: BackupFilePath,
  state: StreamState,
  /** Durable consumers found in the snapshot. */
  consumers: z.array(z.string()),
  /** When the snapshot was asked for and when the server answered (it is taken in between). */
  requestedAt: z.string(),
  snapshotAt: z.string(),
});

const ResumePoint = z.object({
  stream: z.string(),
  durable: z.string(),
  /** The consumer's ack floor, read just before the Postgres snapshot; null if it did not exist. */
  ackFloor: z.number().int().nonnegative().nullable(),
  /** Where the consumer restarts after a restore (deliver_policy by_start_sequence). */
  startSequence: z.number().int().positive(),
});

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string(),
  startedAt: z.string(),
  completedAt: z.string(),
  versions: z.object({
    hookrail: z.string(),
    node: z.string(),
    pgDump: z.string(),
    postgresServer: z.string(),
    natsServer: z.string(),
  }),
  postgres: z.object({
    database: z.string(),
    dumpFile: BackupFilePath,
    /** The server's clock at the snapshot: everything committed before it is in the dump. */
    snapshotAt: z.string(),
    tables: z.record(z.string(), TableStats),
    /** The highest WEBHOOKS sequence with a WebhookReceived event; null when there is none. */
    lastProcessedSequence: z.number().int().nonnegative().nullable(),
  }),
  jetstream: z.object({
    prefix: z.string(),
    streams: z.array(StreamBackup),
  }),
  resume: z.array(ResumePoint),
  files: z.array(FileEntry),
});
export type Manifest = z.output<typeof Manifest>;
export type StreamBackup = z.output<typeof StreamBackup>;
export type ResumePoint = z.output<typeof ResumePoint>;
export type TableStats = z.output<typeof TableStats>;
export type FileEntry = z.output<typeof FileEntry>;

/** Reads and validates a backup's manifest; a missing or malformed one is a failure value. */
export async function readManifest(dir: string): Promise<Result<{ manifest: Manifest }>> {
  let text: string;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file name inside a backup directory under BACKUP_DIR (operator config), never from a request
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return fail(`${MANIFEST_FILE} is missing: the backup is incomplete or was damaged`);
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail(`${MANIFEST_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${MANIFEST_FILE} is malformed at ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return { ok: true, manifest: parsed.data };
}

/** Writes the manifest last, atomically: its presence marks the backup complete. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
