import { randomBytes } from "node:crypto";
import {
  deterministicUuid,
  streamId,
  topology,
  uuidv7,
  type WebhookStreamMessage,
} from "@hookrail/contracts";
import {
  appendEvents,
  createScratchDatabase,
  type EventStoreDb,
  inTransaction,
  migrate,
  openDatabase,
} from "@hookrail/event-store";
import {
  type ConsumedMessage,
  connectNats,
  declareTopology,
  type NatsConnection,
  Publisher,
} from "@hookrail/messaging";
import { createLogger } from "@hookrail/observability";
import { jetstreamManager } from "@nats-io/jetstream";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProcessorDeps, processBatch } from "./process-batch.js";

// Against the real Postgres and NATS: a fresh database and stream prefix for this file.
const t = topology(`t${randomBytes(4).toString("hex")}`);
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let store: EventStoreDb;
let nats: NatsConnection;
let deps: ProcessorDeps;

beforeAll(async () => {
  scratch = await createScratchDatabase(
    "postgres://postgres@127.0.0.1:5432/postgres",
    "hookrail_test_proc",
  );
  store = openDatabase({ url: scratch.url, poolSize: 3 });
  await migrate(store.db);
  const logger = createLogger({ service: "test", level: "silent" });
  nats = await connectNats({ servers: ["nats://127.0.0.1:4222"], name: "processor-test", logger });
  await declareTopology(nats, t);
  deps = { db: store.db, publisher: new Publisher(nats, { service: "test" }), topology: t };
  for (const [id, eventTypes] of [
    ["sub_all", ["*"]],
    ["sub_push", ["push"]],
    ["sub_other", ["issues"]],
  ] as const) {
    await inTransaction(store.db, (tx) =>
      appendEvents(tx, [
        {
          streamId: streamId.subscription(id),
          expectedVersion: 0,
          events: [
            {
              event: {
                type: "SubscriptionCreated",
                data: {
                  subscriptionId: id,
                  url: "http://127.0.0.1:1/x",
                  eventTypes: [...eventTypes],
                  sourceIds: null,
                  secret: "whsec_AAAA",
                },
              },
              metadata: { source: "test" },
            },
          ],
        },
      ]),
    );
  }
});

afterAll(async () => {
  const jsm = await jetstreamManager(nats);
  for (const s of Object.values(t.streams)) await jsm.streams.delete(s.name).catch(() => undefined);
  await nats.close();
  await store.close();
  await scratch.drop();
});

let seq = 0;
function message(data: WebhookStreamMessage): ConsumedMessage<WebhookStreamMessage> {
  seq += 1;
  return {
    data,
    subject: "x",
    seq,
    deliveryCount: 1,
    headers: {},
    requestId: `req-${seq}`,
    context: ROOT_CONTEXT,
  };
}

function received(deliveryId = randomBytes(6).toString("hex")) {
  return message({
    kind: "webhook.received",
    webhookId: deterministicUuid("src_1", deliveryId),
    sourceId: "src_1",
    provider: "github",
    providerDeliveryId: deliveryId,
    eventType: "push",
    receivedAt: new Date().toISOString(),
    contentType: "application/json",
    body: '{"ok": true}',
  });
}

const count = async (table: "events" | "webhooks" | "deliveries") =>
  Number(
    (
      await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
async function deliveryRequestsInStream(): Promise<number> {
  const jsm = await jetstreamManager(nats);
  return (await jsm.streams.info(t.streams.deliveries.name)).state.messages;
}

describe("processBatch", () => {
  it("stores a webhook and requests one delivery per matching subscription", async () => {
    const m = received();
    await processBatch(deps, [m]);
    const deliveries = await store.db
      .selectFrom("deliveries")
      .selectAll()
      .where("webhook_id", "=", m.data.webhookId)
      .execute();
    expect(deliveries.map((d) => d.subscription_id).sort()).toEqual(["sub_all", "sub_push"]);
    const events = await store.db
      .selectFrom("events")
      .select(["type", "metadata"])
      .where("stream_id", "=", streamId.webhook(m.data.webhookId))
      .execute();
    expect(events).toEqual([
      {
        type: "WebhookReceived",
        metadata: { source: "processor", webhookId: m.data.webhookId, requestId: m.requestId },
      },
    ]);
    expect(await deliveryRequestsInStream()).toBe(2);
  });

  it("changes nothing for a redelivered message, or a duplicate within a batch", async () => {
    const m = received();
    await processBatch(deps, [m, { ...m, seq: m.seq + 1000 }]);
    const before = {
      events: await count("events"),
      deliveries: await count("deliveries"),
      stream: await deliveryRequestsInStream(),
    };
    await processBatch(deps, [m]);
    expect({
      events: await count("events"),
      deliveries: await count("deliveries"),
      stream: await deliveryRequestsInStream(),
    }).toEqual(before);
  });

  it("requests the deliveries again when the crash came between commit and publish", async () => {
    const m = received();
    const failing: ProcessorDeps = {
      ...deps,
      publisher: {
        publishMany: async () => Promise.reject(new Error("broker gone")),
      } as unknown as Publisher,
    };
    const streamBefore = await deliveryRequestsInStream();
    await expect(processBatch(failing, [m])).rejects.toThrow("broker gone");
    expect(await deliveryRequestsInStream()).toBe(streamBefore);
    const events = await count("events");
    await processBatch(deps, [m]); // the redelivery
    expect(await count("events")).toBe(events);
    expect(await deliveryRequestsInStream()).toBe(streamBefore + 2);
  });

  it("replays a webhook once per replay id, to the subscriptions that match now", async () => {
    const m = received();
    await processBatch(deps, [m]);
    const replay = message({
      kind: "webhook.replay-requested",
      webhookId: m.data.webhookId,
      replayId: uuidv7(),
      requestedAt: new Date().toISOString(),
    });
    await processBatch(deps, [replay]);
    await processBatch(deps, [replay]);
    const rows = await store.db
      .selectFrom("deliveries")
      .select("id")
      .where("webhook_id", "=", m.data.webhookId)
      .execute();
    expect(rows).toHaveLength(4);
    const types = await store.db
      .selectFrom("events")
      .select("type")
      .where("stream_id", "=", streamId.webhook(m.data.webhookId))
      .orderBy("version")
      .execute();
    expect(types.map((e) => e.type)).toEqual(["WebhookReceived", "WebhookReplayRequested"]);
  });

  it("stores a batch of many webhooks in one go", async () => {
    const batch = Array.from({ length: 150 }, () => received());
    const before = await count("webhooks");
    await processBatch(deps, batch);
    expect(await count("webhooks")).toBe(before + 150);
  });
});
