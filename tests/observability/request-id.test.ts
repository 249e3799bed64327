import { randomBytes } from "node:crypto";
import { topology } from "@hookrail/contracts";
import { openDatabase } from "@hookrail/event-store";
import { jetstreamManager, type StoredMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, NATS_URL, startCluster } from "../support/cluster.js";
import { eventually, type ReceivedDelivery, startSubscriber } from "../support/subscriber.js";
import {
  type Api,
  adminApi,
  createSource,
  createSubscription,
  githubWebhook,
  jsonLogs,
  parseTraceparent,
  type Source,
  type Subscription,
  sendWebhook,
} from "./pipeline.js";

// The request id of a webhook travels with it everywhere: response, span, NATS headers (and W3C
// baggage), the event metadata in Postgres, the delivery to the subscriber, and the log lines.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERVICES = ["gateway", "processor", "notifier"] as const;

let cluster: Cluster;
let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
let api: Api;
let source: Source;
let subscription: Subscription;
let nc: NatsConnection;
let store: ReturnType<typeof openDatabase>;

beforeAll(async () => {
  subscriber = await startSubscriber();
  cluster = await startCluster();
  api = adminApi(cluster);
  source = await createSource(api);
  subscription = await createSubscription(api, subscriber.url);
  nc = await connect({ servers: NATS_URL });
  store = openDatabase({ url: cluster.databaseUrl, poolSize: 2 });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await store?.close();
  await cluster?.destroy();
  await subscriber?.close();
});

const bodyHas = (marker: string) => (d: ReceivedDelivery) =>
  d.body.toString("utf8").includes(marker);

async function deliveredWith(marker: string): Promise<ReceivedDelivery> {
  await eventually(() => subscriber.received.some(bodyHas(marker)), "the delivery", 15_000);
  const delivery = subscriber.received.find(bodyHas(marker));
  if (!delivery) throw new Error("no delivery");
  return delivery;
}

async function storedMessage(stream: string, seq: number): Promise<StoredMsg> {
  const jsm = await jetstreamManager(nc);
  const msg = await jsm.streams.getMessage(stream, { seq });
  if (!msg) throw new Error(`no message ${seq} in ${stream}`);
  return msg;
}

async function eventMetadata(webhookId: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await sql<{ metadata: Record<string, unknown>; type: string }>`
    SELECT metadata, type FROM events WHERE metadata->>'webhookId' = ${webhookId} ORDER BY position`.execute(
    store.db,
  );
  return rows.map((r) => ({ ...r.metadata, type: r.type }));
}

describe("a sane X-Request-Id", () => {
  const requestId = `obs-test-${randomBytes(6).toString("hex")}`;
  let webhookId: string;
  let delivery: ReceivedDelivery;
  let traceId: string;

  beforeAll(async () => {
    const w = githubWebhook(source);
    const res = await sendWebhook(api, w, { "x-request-id": requestId });
    expect(res.status, res.text).toBe(202);
    webhookId = res.body.id;
    expect(res.headers.get("x-request-id")).toBe(requestId);
    expect(res.body.requestId).toBe(requestId);
    delivery = await deliveredWith(w.marker);
    traceId = parseTraceparent(delivery.headers.traceparent).traceId;
    // The delivery is recorded after the POST: wait for the outcome's events.
    await eventually(
      async () => (await eventMetadata(webhookId)).some((m) => m.type === "DeliverySucceeded"),
      "DeliverySucceeded in the event store",
    );
  }, 30_000);

  it("is echoed in the 202 response header and body", () => {
    expect(webhookId).toMatch(UUID);
  });

  it("reaches the subscriber as X-Request-Id", () => {
    expect(delivery.headers["x-request-id"]).toBe(requestId);
  });

  it("rides in the WEBHOOKS message headers, with traceparent and baggage", async () => {
    const { rows } = await sql<{ stream_sequence: number }>`
      SELECT stream_sequence FROM webhooks WHERE id = ${webhookId}`.execute(store.db);
    const seq = Number(rows[0]?.stream_sequence);
    const t = topology(cluster.prefix);
    const msg = await storedMessage(t.streams.webhooks.name, seq);
    expect(msg.subject).toBe(t.subjects.webhookReceived(source.id));
    expect(msg.header.get("Hookrail-Webhook-Id")).toBe(webhookId);
    expect(msg.header.get("X-Request-Id")).toBe(requestId);
    expect(parseTraceparent(msg.header.get("traceparent")).traceId).toBe(traceId);
    const baggage = msg.header.get("baggage");
    expect(baggage.split(",").map((e) => e.trim())).toContain(`hookrail.request_id=${requestId}`);
    // The body is the payload, never a header.
    expect(Buffer.from(msg.data).toString("utf8")).toContain('"marker"');
  });

  it("rides in the DELIVERIES message headers", async () => {
    const t = topology(cluster.prefix);
    const jsm = await jetstreamManager(nc);
    const msg = await jsm.streams.getMessage(t.streams.deliveries.name, {
      last_by_subj: t.subjects.deliveryFirst(subscription.id),
    });
    expect(msg).not.toBeNull();
    expect(msg?.header.get("X-Request-Id")).toBe(requestId);
    expect(parseTraceparent(msg?.header.get("traceparent")).traceId).toBe(traceId);
    expect(msg?.header.get("baggage")).toContain(`hookrail.request_id=${requestId}`);
  });

  it("is in the metadata of every event of the webhook in Postgres, with the trace id", async () => {
    const metadata = await eventMetadata(webhookId);
    expect(metadata.map((m) => m.type)).toEqual(
      expect.arrayContaining([
        "WebhookReceived",
        "DeliveryRequested",
        "DeliveryAttempted",
        "DeliverySucceeded",
      ]),
    );
    for (const m of metadata) {
      expect(m, JSON.stringify(m)).toMatchObject({ requestId, webhookId, traceId });
    }
    const { rows } = await sql<{ request_id: string; trace_id: string }>`
      SELECT request_id, trace_id FROM webhooks WHERE id = ${webhookId}`.execute(store.db);
    expect(rows[0]).toEqual({ request_id: requestId, trace_id: traceId });
  });

  it("is on the log lines written for it, each with traceId and spanId", async () => {
    // The notifier logs every attempt; on the happy path the gateway and processor write no line
    // (their failure lines are checked in sentry.test.ts). Whatever carries the id must carry the
    // trace too.
    await eventually(
      () => jsonLogs(cluster, "notifier").some((l) => l.requestId === requestId),
      "a notifier log line with the request id",
      5_000,
    );
    for (const service of SERVICES) {
      const lines = jsonLogs(cluster, service).filter((l) => l.requestId === requestId);
      for (const line of lines) {
        expect(line.traceId, `${service}: ${JSON.stringify(line)}`).toBe(traceId);
        expect(line.spanId, `${service}: ${JSON.stringify(line)}`).toMatch(/^[0-9a-f]{16}$/);
      }
    }
    const attempted = jsonLogs(cluster, "notifier").find(
      (l) => l.requestId === requestId && l.msg === "delivery attempted",
    );
    expect(attempted).toMatchObject({ service: "notifier", traceId, statusCode: 200 });
  });
});

describe("an insane X-Request-Id", () => {
  it.each([
    ["with spaces", "bad id with spaces"],
    ["too long", "x".repeat(129)],
    ["with a slash and angle brackets", "a/b<script>"],
  ])("is replaced by a generated one (%s)", async (_what, insane) => {
    const w = githubWebhook(source);
    const res = await sendWebhook(api, w, { "x-request-id": insane });
    expect(res.status, res.text).toBe(202);
    const generated = res.headers.get("x-request-id");
    expect(generated).toMatch(UUID);
    expect(res.body.requestId).toBe(generated);
    const delivery = await deliveredWith(w.marker);
    expect(delivery.headers["x-request-id"]).toBe(generated);
    const raw = JSON.stringify(await eventMetadata(res.body.id));
    expect(raw).toContain(String(generated));
    expect(raw).not.toContain(insane);
  });
});
