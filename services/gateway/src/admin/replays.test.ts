import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { topology } from "@hookrail/contracts";
import {
  createScratchDatabase,
  type EventStoreDb,
  migrate,
  openDatabase,
} from "@hookrail/event-store";
import { notFoundHandler, problemHandler, requestId } from "@hookrail/http";
import type { Publisher } from "@hookrail/messaging";
import { createLogger } from "@hookrail/observability";
import express from "express";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayDeps } from "../deps.js";
import { type ReplayJob, replayRoutes } from "./replays.js";

// F-16: a failed bulk replay shows where to look, never the error itself. Against a real
// Postgres (a scratch database); the broker is a stand-in that fails on the second publish.

const INTERNAL = "connect ECONNREFUSED 10.20.30.40:4222 (nats://gateway:s3cr3t@nats-internal)";
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let store: EventStoreDb;
let server: ReturnType<ReturnType<typeof express>["listen"]>;
let base: string;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  scratch = await createScratchDatabase(
    "postgres://postgres@127.0.0.1:5432/postgres",
    "hookrail_replays",
  );
  store = openDatabase({ url: scratch.url, poolSize: 2 });
  await migrate(store.db);
  for (let i = 1; i <= 3; i++)
    await sql`INSERT INTO webhooks (id, source_id, provider_delivery_id, event_type, received_at, position, stream_sequence)
      VALUES (${randomUUID()}, 'src_replays', ${`d${i}`}, 'push', now(), ${i}, ${i})`.execute(
      store.db,
    );
  let published = 0;
  const publisher = {
    publish: async () => {
      published += 1;
      if (published > 1) throw new Error(INTERNAL);
      return { seq: published, duplicate: false };
    },
  } as unknown as Publisher;
  const logger = createLogger({
    service: "gateway",
    level: "info",
    destination: new Writable({
      write(chunk, _encoding, done) {
        logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    }),
  });
  const deps = {
    db: store.db,
    publisher,
    logger,
    topology: topology("replaystest"),
    now: () => new Date(),
  } as unknown as GatewayDeps;
  const app = express();
  app.use(requestId());
  // The scope guard is tested elsewhere (authorization matrix); here it only parses the body.
  app.use(replayRoutes(deps, () => express.json()));
  app.use(notFoundHandler());
  app.use(problemHandler({ logger }));
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await store?.close();
  await scratch?.drop();
});

describe("bulk replay jobs (F-16)", () => {
  it("shows a failed job's generic reason with the request id, and logs the real error with it", async () => {
    const rid = `replay-test-${randomUUID()}`;
    const started = await fetch(`${base}/api/v1/replays`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": rid },
      body: JSON.stringify({ ratePerSecond: 1000 }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as ReplayJob;
    let job: ReplayJob | undefined;
    for (let i = 0; i < 100 && job?.status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      job = (await (await fetch(`${base}/api/v1/replays/${id}`)).json()) as ReplayJob;
    }
    expect(job).toMatchObject({ id, status: "failed", matched: 3, published: 1 });
    expect(job?.error).toBe(
      `the replay failed after 1 of 3 webhooks; see the gateway logs with request id ${rid} (replay job ${id})`,
    );
    expect(JSON.stringify(job)).not.toMatch(/ECONNREFUSED|10\.20\.30\.40|s3cr3t|nats-internal/);
    const logged = logLines.find((l) => l.msg === "bulk replay failed");
    expect(logged).toMatchObject({ level: "error", requestId: rid, replayJob: id });
    expect((logged?.err as { message?: string })?.message).toBe(INTERNAL);
  });
});
