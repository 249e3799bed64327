import { randomBytes, randomUUID } from "node:crypto";
import { type Topology, topology } from "@hookrail/contracts";
import { openDatabase } from "@hookrail/event-store";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, NATS_URL, startCluster } from "../support/cluster.js";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.js";
import { type ReceivedEvent, type SentrySink, startSentrySink } from "../support/sentry-sink.js";
import { eventually, startSubscriber } from "../support/subscriber.js";
import {
  type Api,
  adminApi,
  createSource,
  createSubscription,
  githubWebhook,
  jsonLogs,
  newTraceparent,
  type SignedWebhook,
  type Source,
  type Subscription,
  sendWebhook,
} from "./pipeline.js";

// A forced failure in each service is ONE Sentry error event, carrying the release, the
// environment, the request id as a tag and the OpenTelemetry trace id of that request, and
// nothing secret: no webhook body, no source or subscription secret, no admin key, no
// Authorization header, no signature.

const RELEASE = "hookrail@test-1";
const ENVIRONMENT = "e2e";

let sink: SentrySink;
let receiver: OtlpReceiver;
let cluster: Cluster;
let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
let api: Api;
let source: Source;
let subscription: Subscription;
let nc: NatsConnection;
let store: ReturnType<typeof openDatabase>;
let t: Topology;

const rid = (service: string) => `obs-${service}-${randomBytes(6).toString("hex")}`;

/** What each forced failure sent, for the assertions. */
const gateway = { requestId: rid("gateway"), webhook: undefined as SignedWebhook | undefined };
const processor = { requestId: rid("processor"), trace: newTraceparent(), marker: rid("marker") };
const notifier = { requestId: rid("notifier"), trace: newTraceparent(), marker: rid("marker") };

beforeAll(async () => {
  sink = await startSentrySink();
  receiver = await startOtlpReceiver();
  subscriber = await startSubscriber();
  cluster = await startCluster({
    env: {
      // Five deliveries, then a dead letter: keeps the notifier's forced failure short.
      NOTIFIER_MAX_DELIVERIES: "5",
      SENTRY_DSN: sink.dsn,
      SENTRY_ENVIRONMENT: ENVIRONMENT,
      SENTRY_RELEASE: RELEASE,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Every trace kept (the default keeps 10 new ones a second, then 10%): these tests follow
      // particular requests through the whole pipeline.
      OTEL_TRACES_SAMPLER: "parentbased_always_on",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    },
  });
  api = adminApi(cluster);
  source = await createSource(api);
  subscription = await createSubscription(api, subscriber.url);
  nc = await connect({ servers: NATS_URL });
  store = openDatabase({ url: cluster.databaseUrl, poolSize: 2 });
  t = topology(cluster.prefix);

  // The notifier's failure takes longest (five deliveries with backoff): start it first.
  await publishPoison(
    t.subjects.deliveryFirst(subscription.id),
    {
      "Hookrail-Message-Type": "delivery.requested",
      "X-Request-Id": notifier.requestId,
      traceparent: notifier.trace.header,
    },
    JSON.stringify({
      kind: "delivery.requested",
      // valid, and not in the event store: the notifier fails it on every delivery
      deliveryId: randomUUID(),
      webhookId: randomUUID(),
      subscriptionId: subscription.id,
      attempt: 1,
      marker: notifier.marker,
    }),
  );
  // The processor's: a webhook message without its required Hookrail-* headers is poison.
  await publishPoison(
    t.subjects.webhookReceived(source.id),
    {
      "Hookrail-Message-Type": "webhook.received",
      "X-Request-Id": processor.requestId,
      traceparent: processor.trace.header,
    },
    JSON.stringify({ action: "opened", marker: processor.marker }),
  );
  // The gateway's: its sources table is gone (a fresh source, so no cached copy answers).
  const fresh = await createSource(api, "gateway failure source");
  gateway.webhook = githubWebhook(fresh);
  await sql`ALTER TABLE sources RENAME TO sources_broken`.execute(store.db);
  try {
    gatewayResponse = await sendWebhook(api, gateway.webhook, {
      "x-request-id": gateway.requestId,
    });
  } finally {
    await sql`ALTER TABLE sources_broken RENAME TO sources`.execute(store.db);
  }
}, 60_000);

let gatewayResponse: Awaited<ReturnType<typeof sendWebhook>>;

afterAll(async () => {
  await nc?.close();
  await store?.close();
  await cluster?.destroy();
  await subscriber?.close();
  await receiver?.close();
  await sink?.close();
});

async function publishPoison(subject: string, h: Record<string, string>, body: string) {
  const hdrs = headers();
  for (const [k, v] of Object.entries(h)) hdrs.set(k, v);
  await jetstream(nc).publish(subject, body, { headers: hdrs, msgID: randomUUID() });
}

const eventsFor = (requestId: string): ReceivedEvent[] =>
  sink.events.filter((e) => e.event.tags?.requestId === requestId);

async function theEventFor(requestId: string, timeoutMs: number): Promise<ReceivedEvent> {
  await eventually(
    () => eventsFor(requestId).length > 0,
    `a Sentry event for ${requestId}`,
    timeoutMs,
  );
  // A second report would follow within the same flush: give it the time to arrive.
  await new Promise((r) => setTimeout(r, 500));
  const events = eventsFor(requestId);
  expect(events, JSON.stringify(events.map((e) => e.event.exception))).toHaveLength(1);
  return events[0] as ReceivedEvent;
}

function expectCommon(
  received: ReceivedEvent,
  requestId: string,
  traceId: string,
  service: string,
) {
  const { event } = received;
  expect(event.release).toBe(RELEASE);
  expect(event.environment).toBe(ENVIRONMENT);
  expect(event.tags?.requestId).toBe(requestId);
  expect(event.tags?.service).toBe(service);
  expect(event.contexts?.trace?.trace_id).toBe(traceId);
}

/** Nothing secret in the envelope, whatever the event. */
function expectNoSecrets(received: ReceivedEvent, extra: string[] = []) {
  const raw = received.raw.toString("utf8");
  const secrets = [
    source.secret,
    subscription.secret,
    cluster.adminKey,
    ...extra.filter((s) => s.length > 0),
  ];
  for (const secret of secrets) expect(raw, "a secret in the envelope").not.toContain(secret);
  expect(raw.toLowerCase()).not.toContain("authorization");
  expect(raw.toLowerCase()).not.toContain("x-hub-signature-256");
}

function logLinesOf(service: string, requestId: string) {
  return jsonLogs(cluster, service).filter((l) => l.requestId === requestId);
}

describe("Sentry error events", () => {
  it("gateway: a broken database is a 500 problem without internals, and one event", async () => {
    expect(sink.errors).toEqual([]);
    expect(gatewayResponse.status, gatewayResponse.text).toBe(500);
    expect(gatewayResponse.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = gatewayResponse.body as unknown as Record<string, unknown>;
    expect(problem).toMatchObject({
      status: 500,
      type: "urn:hookrail:problem:internal",
      requestId: gateway.requestId,
    });
    expect(String(problem.detail)).not.toMatch(/sources|relation/i);
    expect(gatewayResponse.text).not.toMatch(/sources_broken|relation|does not exist|at .*\.js/);

    const received = await theEventFor(gateway.requestId, 10_000);
    // The gateway answers no traceparent: the trace is its SERVER span with this request id.
    await eventually(
      () =>
        receiver.spans.some(
          (s) =>
            s.service === "gateway" &&
            s.kind === "server" &&
            s.attributes["hookrail.request_id"] === gateway.requestId,
        ),
      "the gateway's server span",
      10_000,
    );
    const server = receiver.spans.find(
      (s) =>
        s.service === "gateway" &&
        s.kind === "server" &&
        s.attributes["hookrail.request_id"] === gateway.requestId,
    );
    expect(server?.attributes["http.response.status_code"]).toBe(500);
    expectCommon(received, gateway.requestId, String(server?.traceId), "gateway");
    const w = gateway.webhook as SignedWebhook;
    const signature = w.headers["x-hub-signature-256"] ?? "";
    expectNoSecrets(received, [w.marker, w.body, signature, signature.replace("sha256=", "")]);
    // The log line of the failure carries the same ids.
    const lines = logLinesOf("gateway", gateway.requestId);
    expect(lines.map((l) => l.msg)).toContain("request failed");
    for (const l of lines)
      expect(l).toMatchObject({ traceId: server?.traceId, spanId: expect.any(String) });
  });

  it("processor: a poison message is dead-lettered, and one event", async () => {
    const received = await theEventFor(processor.requestId, 10_000);
    expectCommon(received, processor.requestId, processor.trace.traceId, "processor");
    expect(received.event.exception?.values?.[0]?.type).toBe("DeadLetterError");
    expect(received.event.tags?.consumer).toBe("processor");
    expectNoSecrets(received, [processor.marker]);
    const { rows } = await sql<{ consumer: string; error: string }>`
      SELECT consumer, error FROM dead_letters WHERE headers->>'x-request-id' = ${processor.requestId}`.execute(
      store.db,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.consumer).toBe("processor");
    const lines = logLinesOf("processor", processor.requestId);
    expect(lines.map((l) => l.msg)).toContain("poison message");
    for (const l of lines) {
      expect(l).toMatchObject({ traceId: processor.trace.traceId, spanId: expect.any(String) });
    }
    // The consume span continued the caller's trace.
    await eventually(
      () =>
        receiver
          .trace(processor.trace.traceId)
          .some(
            (s) =>
              s.service === "processor" &&
              s.kind === "consumer" &&
              s.parentSpanId === processor.trace.spanId,
          ),
      "the processor's consume span in the caller's trace",
      10_000,
    );
  });

  it("notifier: a delivery that fails on every delivery is dead-lettered, and one event", async () => {
    // Five deliveries, 0.5 + 1 + 2 + 4 s of backoff (±20%) between them.
    const received = await theEventFor(notifier.requestId, 25_000);
    expectCommon(received, notifier.requestId, notifier.trace.traceId, "notifier");
    expect(received.event.exception?.values?.[0]?.type).toBe("DeadLetterError");
    expect(received.event.tags?.consumer).toBe("notifier-first");
    expectNoSecrets(received, [notifier.marker]);
    const { rows } = await sql<{ consumer: string; delivery_count: number }>`
      SELECT consumer, delivery_count FROM dead_letters WHERE headers->>'x-request-id' = ${notifier.requestId}`.execute(
      store.db,
    );
    expect(rows).toEqual([{ consumer: "notifier-first", delivery_count: 5 }]);
    const lines = logLinesOf("notifier", notifier.requestId);
    expect(lines.filter((l) => l.msg === "handler failed; will retry")).toHaveLength(4);
    expect(lines.map((l) => l.msg)).toContain("handler failed on every delivery");
    for (const l of lines) {
      expect(l).toMatchObject({ traceId: notifier.trace.traceId, spanId: expect.any(String) });
    }
  }, 35_000);

  it("made no other error events, and every envelope parsed", async () => {
    expect(sink.errors).toEqual([]);
    const requestIds = sink.events.map((e) => e.event.tags?.requestId);
    expect(requestIds.sort()).toEqual(
      [gateway.requestId, processor.requestId, notifier.requestId].sort(),
    );
  });
});
