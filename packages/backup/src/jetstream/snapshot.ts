import { open, rm } from "node:fs/promises";
import { createInbox, type NatsConnection } from "@nats-io/nats-core";
import { BackupError } from "../errors.js";
import { commitFile, tempPathOf } from "../files.js";
import type { Progress } from "../result.js";
import { apiRequest } from "./api.js";

/** `{config, state}` of a stream as the snapshot response carries it (natscli's backup.json). */
export interface StreamMetadata {
  config: Record<string, unknown> & { name: string };
  state: {
    messages: number;
    bytes: number;
    first_seq: number;
    last_seq: number;
    consumer_count: number;
  } & Record<string, unknown>;
}

export interface SnapshotOutcome {
  metadata: StreamMetadata;
  bytes: number;
  chunks: number;
  requestedAt: string;
  snapshotAt: string;
}

const CHUNK_BYTES = 128 * 1024;
// How long the server may go quiet between chunks before the snapshot is given up.
const IDLE_MS = 30_000;
const PROGRESS_EVERY = 16 * 1024 * 1024;

/**
 * Snapshots a stream (configuration, state, messages and consumers) through the JetStream API:
 * `$JS.API.STREAM.SNAPSHOT.<stream>` with a deliver subject, then the server sends the s2/tar
 * stream in chunks there. Each chunk is written before it is acknowledged (the acknowledgement is
 * the server's flow control); an empty message ends it. The bytes land in `file` atomically.
 */
export async function snapshotStream(
  nc: NatsConnection,
  stream: string,
  file: string,
  progress: Progress,
): Promise<SnapshotOutcome> {
  const deliver = createInbox("_HOOKRAIL_BACKUP");
  const sub = nc.subscribe(deliver);
  const temp = tempPathOf(file);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a temp file in a backup directory under BACKUP_DIR (operator config), never from a request
  const out = await open(temp, "w", 0o640);
  let failure: Error | undefined;
  try {
    const requestedAt = new Date().toISOString();
    // jsck: the server checks the stream's own checksums before it snapshots.
    const metadata = await apiRequest<StreamMetadata>(
      nc,
      `$JS.API.STREAM.SNAPSHOT.${stream}`,
      { deliver_subject: deliver, chunk_size: CHUNK_BYTES, jsck: true },
      120_000,
    );
    const snapshotAt = new Date().toISOString();
    const stall = () => {
      failure ??= new BackupError(`snapshot of ${stream} stalled: no chunk for ${IDLE_MS} ms`);
      sub.unsubscribe();
    };
    let idle = setTimeout(stall, IDLE_MS);
    let bytes = 0;
    let chunks = 0;
    let ended = false;
    for await (const m of sub) {
      clearTimeout(idle);
      if (m.data.length === 0) {
        // The end. Newer servers mark it with status 204 and report failures the same way.
        const code = m.headers?.code ?? 0;
        if (code !== 0 && code !== 204)
          failure = new BackupError(`snapshot of ${stream} failed: ${m.headers?.description}`);
        ended = true;
        break;
      }
      await out.write(m.data);
      bytes += m.data.length;
      chunks++;
      if (m.reply) m.respond();
      if (Math.floor(bytes / PROGRESS_EVERY) > Math.floor((bytes - m.data.length) / PROGRESS_EVERY))
        progress(`jetstream: ${stream} ${(bytes / 1e6).toFixed(0)} MB received`);
      idle = setTimeout(stall, IDLE_MS);
    }
    clearTimeout(idle);
    if (failure) throw failure;
    if (!ended) throw new BackupError(`snapshot of ${stream} ended without its end marker`);
    await out.close();
    await commitFile(temp, file);
    return { metadata, bytes, chunks, requestedAt, snapshotAt };
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  } finally {
    sub.unsubscribe();
  }
}
