import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";

// What this machine can do at all, measured in the same run as Hookrail so that the ratios
// between them mean something on a noisy, shared machine: a bare express + publish server, the
// broker's pipelined publish rate, and Postgres's rate for batched 100-row inserts.

const here = dirname(fileURLToPath(import.meta.url));

/** A JetStream stream for the ceilings, configured as the webhooks stream is; removed after. */
export async function ceilingStream(natsUrl: string, prefix: string, like: string) {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  const { config } = await jsm.streams.info(like);
  const name = `${prefix.toUpperCase()}_CEILING`;
  await jsm.streams.add({ ...config, name, subjects: [`${prefix}.ceiling.>`] });
  await nc.close();
  return {
    subject: `${prefix}.ceiling.in`,
    remove: async () => {
      const c = await connect({ servers: natsUrl });
      await (await jetstreamManager(c)).streams.delete(name).catch(() => undefined);
      await c.close();
    },
  };
}

export interface ExpressCeiling {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `ceiling-server.ts` as its own process and waits until it listens. */
export async function startExpressCeiling(
  natsUrl: string,
  subject: string,
): Promise<ExpressCeiling> {
  const child: ChildProcess = spawn(process.execPath, [join(here, "ceiling-server.ts")], {
    env: { PATH: process.env.PATH ?? "", NATS_URL: natsUrl, CEILING_SUBJECT: subject },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await Promise.race([
    once(lines, "line").then(([line]) => String(line)),
    once(child, "exit").then(([code]) => {
      throw new Error(`the express ceiling server exited (${code}) before listening`);
    }),
  ]);
  const { port } = JSON.parse(first) as { port: number };
  return {
    port,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

export interface RateResult {
  count: number;
  seconds: number;
  rate: number;
}

/**
 * Publishes `bodyBytes` messages with unique msgIDs for `durationMs`, keeping `window` unacked
 * at once (nats.js sends without waiting; each ack resolves its promise).
 */
export async function pipelinedPublishes(
  natsUrl: string,
  subject: string,
  o: { durationMs: number; window: number; bodyBytes: number },
): Promise<RateResult> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const js = jetstream(nc);
  const body = randomBytes(Math.ceil(o.bodyBytes / 2))
    .toString("hex")
    .slice(0, o.bodyBytes);
  const run = randomBytes(4).toString("hex");
  let n = 0;
  const start = performance.now();
  const until = start + o.durationMs;
  const lane = async () => {
    while (performance.now() < until) await js.publish(subject, body, { msgID: `${run}.${n++}` });
  };
  await Promise.all(Array.from({ length: o.window }, lane));
  const seconds = (performance.now() - start) / 1000;
  await nc.close();
  return { count: n, seconds, rate: n / seconds };
}

/**
 * Inserts rows shaped like the event store's (uuid key, stream id + version unique, jsonb data
 * and metadata) in multi-row INSERTs of `rowsPerBatch`, over `connections` connections, for
 * `durationMs`, into a table of its own that it drops after.
 */
export async function batchedInserts(
  databaseUrl: string,
  o: { durationMs: number; rowsPerBatch: number; connections: number; bodyBytes: number },
): Promise<RateResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: o.connections });
  const table = `bench_ceiling_${randomBytes(4).toString("hex")}`;
  // The events table's shape and indexes (migration 0001), without its trigger or projections.
  await pool.query(
    `CREATE TABLE ${table} (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id uuid NOT NULL UNIQUE, stream_id text NOT NULL, version integer NOT NULL,
      type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, version));
     CREATE INDEX ${table}_webhook_idx ON ${table} ((metadata->>'webhookId'), position)`,
  );
  const data = JSON.stringify({ body: "x".repeat(o.bodyBytes), source: "bench" });
  const metadata = JSON.stringify({ source: "bench", requestId: "bench", webhookId: "w" });
  const values = Array.from(
    { length: o.rowsPerBatch },
    (_, i) => `(gen_random_uuid(), $${i + 1}, 1, 'BenchEvent', $${o.rowsPerBatch + 1}::jsonb,
      $${o.rowsPerBatch + 2}::jsonb)`,
  ).join(",");
  const insert = `INSERT INTO ${table} (id, stream_id, version, type, data, metadata) VALUES ${values}`;
  let rows = 0;
  let batch = 0;
  const start = performance.now();
  const until = start + o.durationMs;
  const lane = async (lane: number) => {
    while (performance.now() < until) {
      const b = batch++;
      const streams = Array.from({ length: o.rowsPerBatch }, (_, i) => `s-${lane}-${b}-${i}`);
      await pool.query(insert, [...streams, data, metadata]);
      rows += o.rowsPerBatch;
    }
  };
  try {
    await Promise.all(Array.from({ length: o.connections }, (_, i) => lane(i)));
    const seconds = (performance.now() - start) / 1000;
    return { count: rows, seconds, rate: rows / seconds };
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}
