import { createReadStream } from "node:fs";
import type { NatsConnection } from "@nats-io/nats-core";
import { BackupError } from "../errors.js";
import type { Progress } from "../result.js";
import { apiRequest, parseApiResponse } from "./api.js";
import type { StreamMetadata } from "./snapshot.js";

const CHUNK_BYTES = 128 * 1024;
const PROGRESS_EVERY = 16 * 1024 * 1024;

/**
 * Restores a stream from its snapshot through `$JS.API.STREAM.RESTORE.<stream>`: the server
 * answers with a subject to send the snapshot to; each chunk is a request (its reply is the flow
 * control), and an empty request ends the upload, answered once the stream exists again. The
 * stream must not exist (the server refuses otherwise).
 */
export async function restoreStream(
  nc: NatsConnection,
  metadata: StreamMetadata,
  file: string,
  progress: Progress,
): Promise<void> {
  const stream = metadata.config.name;
  const { deliver_subject: deliver } = await apiRequest<{ deliver_subject: string }>(
    nc,
    `$JS.API.STREAM.RESTORE.${stream}`,
    { config: metadata.config, state: metadata.state },
    30_000,
  );
  let sent = 0;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a snapshot file in a backup directory under BACKUP_DIR (operator config), never from a request
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    const ack = await nc.request(deliver, chunk as Buffer, { timeout: 60_000 });
    if (ack.data.length > 0)
      throw new BackupError(`restore of ${stream} refused a chunk: ${ack.string()}`);
    const before = sent;
    sent += (chunk as Buffer).length;
    if (Math.floor(sent / PROGRESS_EVERY) > Math.floor(before / PROGRESS_EVERY))
      progress(`jetstream: ${stream} ${(sent / 1e6).toFixed(0)} MB sent`);
  }
  // The server unpacks the snapshot and recovers the stream before it answers this one.
  const done = await nc.request(deliver, new Uint8Array(0), { timeout: 600_000 });
  parseApiResponse(`restore of ${stream}`, done);
}
