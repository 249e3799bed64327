import { type DomainEvent, type EventMetadata, streamId, uuidv7 } from "@hookrail/contracts";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendEvents,
  ConcurrencyError,
  createScratchDatabase,
  type EventStoreDb,
  findWebhook,
  inTransaction,
  migrate,
  openDatabase,
  readStream,
  readWebhookTimeline,
  rebuildProjections,
} from "./index.js";

const BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const meta: EventMetadata = { source: "test", requestId: "req-1", traceId: "t".repeat(32) };
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let store: EventStoreDb;

beforeAll(async () => {
  scratch = await createScratchDatabase(BASE_URL, "hookrail_test_es");
  store = openDatabase({ url: scratch.url, poolSize: 4 });
  await migrate(store.db);
});
afterAll(async () => {
  await store?.close();
  await scratch?.drop();
});

function append(stream: string, expectedVersion: number, events: DomainEvent[], m = meta) {
  return inTransaction(store.db, (tx) =>
    appendEvents(tx, [
      {
        streamId: stream,
        expectedVersion,
        events: events.map((event) => ({ event, metadata: m })),
      },
    ]),
  );
}

function received(webhookId: string, sourceId = "src_1"): DomainEvent {
  return {
    type: "WebhookReceived",
    data: {
      webhookId,
      sourceId,
      providerDeliveryId: `d-${webhookId}`,
      eventType: "push",
      receivedAt: new Date().toISOString(),
      contentType: "application/json",
      body: '{"a": 1}',
      streamSequence: 1,
    },
  };
}

describe("event store", () => {
  it("migrates idempotently", async () => {
    expect(await migrate(store.db)).toEqual([]);
  });

  it("appends with increasing versions and reads a stream back in order", async () => {
    const s = `test-${uuidv7()}`;
    const stored = await append(s, 0, [received(uuidv7(), "a"), received(uuidv7(), "b")]);
    expect(stored.map((e) => e.version)).toEqual([1, 2]);
    expect(stored[1]?.position).toBeGreaterThan(stored[0]?.position ?? Infinity);
    await append(s, 2, [received(uuidv7(), "c")]);
    const back = await readStream(store.db, s);
    expect(back.map((e) => [e.version, e.type])).toEqual([
      [1, "WebhookReceived"],
      [2, "WebhookReceived"],
      [3, "WebhookReceived"],
    ]);
    expect(back[0]?.metadata).toEqual(meta);
  });

  it("rejects an append at a stale version and commits nothing of it", async () => {
    const s = `test-${uuidv7()}`;
    await append(s, 0, [received(uuidv7())]);
    const a = uuidv7();
    await expect(append(s, 0, [received(a)])).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await findWebhook(store.db, a)).toBeUndefined();
    expect(await readStream(store.db, s)).toHaveLength(1);
  });

  it("lets exactly one of two concurrent writers at the same version win", async () => {
    const s = `test-${uuidv7()}`;
    await append(s, 0, [received(uuidv7())]);
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => append(s, 1, [received(uuidv7())])),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    }
    expect((await readStream(store.db, s)).map((e) => e.version)).toEqual([1, 2]);
  });

  it("refuses to update or delete stored events", async () => {
    await expect(sql`UPDATE events SET type = 'x'`.execute(store.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM events`.execute(store.db)).rejects.toThrow(/append-only/);
  });

  it("keeps the webhook and delivery projections in step with the events", async () => {
    const webhookId = uuidv7();
    const [d1, d2] = [uuidv7(), uuidv7()];
    const m = { ...meta, webhookId };
    await append(streamId.webhook(webhookId), 0, [received(webhookId)], m);
    const requested = (deliveryId: string): DomainEvent => ({
      type: "DeliveryRequested",
      data: { deliveryId, webhookId, subscriptionId: "sub", reason: "initial" },
    });
    await inTransaction(store.db, (tx) =>
      appendEvents(tx, [
        {
          streamId: streamId.delivery(d1),
          expectedVersion: 0,
          events: [{ event: requested(d1), metadata: m }],
        },
        {
          streamId: streamId.delivery(d2),
          expectedVersion: 0,
          events: [{ event: requested(d2), metadata: m }],
        },
      ]),
    );
    expect((await findWebhook(store.db, webhookId))?.status).toBe("delivering");
    const attempt = (deliveryId: string, code: number, succeeded: boolean): DomainEvent => ({
      type: "DeliveryAttempted",
      data: {
        deliveryId,
        webhookId,
        attempt: 1,
        startedAt: new Date().toISOString(),
        durationMs: 3,
        statusCode: code,
        error: succeeded ? null : `HTTP ${code}`,
        succeeded,
      },
    });
    await append(
      streamId.delivery(d1),
      1,
      [
        attempt(d1, 200, true),
        {
          type: "DeliverySucceeded",
          data: { deliveryId: d1, webhookId, attempts: 1, deliveredAt: new Date().toISOString() },
        },
      ],
      m,
    );
    await append(
      streamId.delivery(d2),
      1,
      [
        attempt(d2, 500, false),
        {
          type: "DeliveryFailed",
          data: { deliveryId: d2, webhookId, attempts: 1, reason: "gave up" },
        },
      ],
      m,
    );
    const w = await findWebhook(store.db, webhookId);
    expect(w).toMatchObject({
      status: "failed",
      deliveries_total: 2,
      deliveries_succeeded: 1,
      deliveries_failed: 1,
      request_id: "req-1",
    });
    const d = await store.db
      .selectFrom("deliveries")
      .selectAll()
      .where("id", "=", d2)
      .executeTakeFirstOrThrow();
    expect(d).toMatchObject({
      status: "failed",
      attempts: 1,
      last_status_code: 500,
      last_error: "HTTP 500",
    });
    const timeline = await readWebhookTimeline(store.db, webhookId);
    expect(timeline.map((e) => e.type)).toEqual([
      "WebhookReceived",
      "DeliveryRequested",
      "DeliveryRequested",
      "DeliveryAttempted",
      "DeliverySucceeded",
      "DeliveryAttempted",
      "DeliveryFailed",
    ]);
  });

  it("applies a batch of delivery changes as the events would one by one", async () => {
    const webhookId = uuidv7();
    const [d3, d4] = [uuidv7(), uuidv7()];
    const m = { ...meta, webhookId };
    await append(streamId.webhook(webhookId), 0, [received(webhookId)], m);
    const requested = (deliveryId: string): DomainEvent => ({
      type: "DeliveryRequested",
      data: { deliveryId, webhookId, subscriptionId: "sub", reason: "initial" },
    });
    const attempt = (deliveryId: string, n: number, code: number | null, error: string | null) =>
      ({
        type: "DeliveryAttempted",
        data: {
          deliveryId,
          webhookId,
          attempt: n,
          startedAt: new Date().toISOString(),
          durationMs: 3,
          statusCode: code,
          error,
          succeeded: code === 200,
        },
      }) satisfies DomainEvent;
    const next = new Date(Date.now() + 60_000);
    const awkward = 'refused: "quoted", {braces}, back\\slash, comma, ünïcode';
    const scheduled = (deliveryId: string): DomainEvent => ({
      type: "DeliveryRetryScheduled",
      data: { deliveryId, webhookId, nextAttempt: 2, nextAttemptAt: next.toISOString() },
    });
    // One transaction, several streams, two changes each: as the notifier records a batch.
    await inTransaction(store.db, (tx) =>
      appendEvents(tx, [
        {
          streamId: streamId.delivery(d3),
          expectedVersion: 0,
          events: [{ event: requested(d3), metadata: m }],
        },
        {
          streamId: streamId.delivery(d4),
          expectedVersion: 0,
          events: [{ event: requested(d4), metadata: m }],
        },
      ]),
    );
    await inTransaction(store.db, (tx) =>
      appendEvents(tx, [
        {
          streamId: streamId.delivery(d3),
          expectedVersion: 1,
          events: [
            { event: attempt(d3, 1, null, awkward), metadata: m },
            { event: scheduled(d3), metadata: m },
          ],
        },
        {
          streamId: streamId.delivery(d4),
          expectedVersion: 1,
          events: [
            { event: attempt(d4, 1, 503, "HTTP 503"), metadata: m },
            { event: scheduled(d4), metadata: m },
          ],
        },
      ]),
    );
    const row = (id: string) =>
      store.db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(await row(d3)).toMatchObject({
      status: "scheduled",
      attempts: 1,
      last_status_code: null,
      last_error: awkward,
      next_attempt_at: next,
    });
    expect(await row(d4)).toMatchObject({ status: "scheduled", last_status_code: 503 });
    await append(
      streamId.delivery(d3),
      3,
      [
        attempt(d3, 2, 200, null),
        {
          type: "DeliverySucceeded",
          data: { deliveryId: d3, webhookId, attempts: 2, deliveredAt: new Date().toISOString() },
        },
      ],
      m,
    );
    const done = await row(d3);
    expect(done).toMatchObject({
      status: "succeeded",
      attempts: 2,
      last_status_code: 200,
      last_error: null,
      next_attempt_at: null,
    });
    expect(done.updated_at.getTime()).toBeGreaterThanOrEqual(done.created_at.getTime());
    // d4 was not in the last batch: untouched.
    expect(await row(d4)).toMatchObject({
      status: "scheduled",
      attempts: 1,
      next_attempt_at: next,
    });
  });

  it("rebuilds projections equal to the live ones, and reports a drifted row", async () => {
    const check = await rebuildProjections(store.db, { commit: false });
    expect(check.equal).toBe(true);
    expect(check.eventsReplayed).toBeGreaterThan(5);
    expect(check.tables.find((t) => t.table === "webhooks")?.liveRows).toBeGreaterThan(0);

    await sql`UPDATE webhooks SET event_type = 'tampered' WHERE id = (SELECT id FROM webhooks LIMIT 1)`.execute(
      store.db,
    );
    const drift = await rebuildProjections(store.db, { commit: false });
    expect(drift.equal).toBe(false);
    expect(drift.tables.find((t) => t.table === "webhooks")).toMatchObject({
      onlyLive: 1,
      onlyRebuilt: 1,
    });

    const fixed = await rebuildProjections(store.db, { commit: true });
    expect(fixed.committed).toBe(true);
    expect((await rebuildProjections(store.db, { commit: false })).equal).toBe(true);
  });
});
