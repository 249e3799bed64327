import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.js";
import {
  type CollectedSpan,
  type OtlpReceiver,
  startOtlpReceiver,
} from "../support/otlp-receiver.js";
import { eventually, startSubscriber } from "../support/subscriber.js";
import {
  adminApi,
  createSource,
  createSubscription,
  githubWebhook,
  parseTraceparent,
  sendWebhook,
} from "./pipeline.js";

// One webhook is one trace, across three processes and two NATS hops, exported over OTLP/HTTP in
// both encodings: gateway SERVER → PRODUCER → processor CONSUMER (→ event-store append → pg) →
// PRODUCER → notifier CONSUMER → CLIENT (the POST to the subscriber), parent links intact.

const INGEST_ROUTE = "/api/v1/webhooks/:sourceId";
const OPS_PATHS = ["/metrics", "/healthz", "/readyz"];

interface Sent {
  webhookId: string;
  requestId: string;
  /** From the traceparent the subscriber received. */
  traceId: string;
  /** Its parent span: the notifier's CLIENT span that sent it. */
  parentSpanId: string;
}

/** The spans of one webhook's trace that the assertions need; undefined while one is missing. */
function pipelineSpans(spans: CollectedSpan[]) {
  const one = (p: (s: CollectedSpan) => boolean) => spans.find(p);
  const server = one(
    (s) =>
      s.service === "gateway" && s.kind === "server" && s.attributes["http.route"] === INGEST_ROUTE,
  );
  const gatewayPublish = one(
    (s) =>
      s.service === "gateway" && s.kind === "producer" && s.name === "publish webhook.received",
  );
  const processorConsume = one(
    (s) =>
      s.service === "processor" && s.kind === "consumer" && s.name === "process webhook.received",
  );
  const processorPublish = one(
    (s) =>
      s.service === "processor" && s.kind === "producer" && s.name === "publish delivery.requested",
  );
  const notifierConsume = one(
    (s) =>
      s.service === "notifier" && s.kind === "consumer" && s.name === "process delivery.requested",
  );
  // The outbound POST (pg queries are CLIENT spans too).
  const client = one(
    (s) =>
      s.service === "notifier" &&
      s.kind === "client" &&
      (s.attributes["http.request.method"] ?? s.attributes["http.method"]) === "POST",
  );
  if (
    !server ||
    !gatewayPublish ||
    !processorConsume ||
    !processorPublish ||
    !notifierConsume ||
    !client
  )
    return undefined;
  return { server, gatewayPublish, processorConsume, processorPublish, notifierConsume, client };
}

const isPg = (s: CollectedSpan) =>
  s.name.startsWith("pg.") ||
  s.attributes["db.system"] === "postgresql" ||
  s.attributes["db.system.name"] === "postgresql";

/** True when `span` is `ancestor` or below it, following parent links within `spans`. */
function descendsFrom(
  span: CollectedSpan,
  ancestor: CollectedSpan,
  spans: CollectedSpan[],
): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  let current: CollectedSpan | undefined = span;
  for (let hops = 0; current && hops < 100; hops++) {
    if (current.spanId === ancestor.spanId) return true;
    current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
  }
  return false;
}

function describeTrace(spans: CollectedSpan[]): string {
  return spans
    .map((s) => `${s.service} ${s.kind} "${s.name}" ${s.spanId} <- ${s.parentSpanId ?? "root"}`)
    .join("\n");
}

// The JSON run also compresses its exports, so the receiver's gzip path is exercised end to end.
describe.each([
  ["http/json", "gzip"],
  ["http/protobuf", "none"],
] as const)("one trace per webhook, OTLP %s (compression %s)", (protocol, compression) => {
  let receiver: OtlpReceiver;
  let cluster: Cluster;
  let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
  const sent: Sent[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    subscriber = await startSubscriber();
    cluster = await startCluster({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Every trace kept (the default keeps 10 new ones a second, then 10%): these tests follow
        // particular requests through the whole pipeline.
        OTEL_TRACES_SAMPLER: "parentbased_always_on",
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_COMPRESSION: compression,
      },
    });
    // Ops requests first: had they made spans, those would be exported before the webhooks'.
    for (const port of [...cluster.processes.keys()].map((name) => cluster.opsPorts[name])) {
      for (const path of OPS_PATHS) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          signal: AbortSignal.timeout(5_000),
        });
        expect(res.status, `${path} on ${port}`).toBe(200);
        await res.arrayBuffer();
      }
    }
    const api = adminApi(cluster);
    const source = await createSource(api);
    await createSubscription(api, subscriber.url);
    // One at a time: the processor's batch work runs in its first message's trace.
    for (let i = 0; i < 3; i++) {
      const w = githubWebhook(source);
      const res = await sendWebhook(api, w);
      expect(res.status, res.text).toBe(202);
      await eventually(
        () => subscriber.received.some((d) => d.body.toString("utf8").includes(w.marker)),
        `delivery of webhook ${i + 1}`,
        15_000,
      );
      const delivery = subscriber.received.find((d) => d.body.toString("utf8").includes(w.marker));
      const { traceId, spanId } = parseTraceparent(delivery?.headers.traceparent);
      sent.push({
        webhookId: res.body.id,
        requestId: res.body.requestId,
        traceId,
        parentSpanId: spanId,
      });
    }
    // BatchSpanProcessor exports every 500 ms: wait for each trace to be whole.
    await eventually(
      () => sent.every((s) => pipelineSpans(receiver.trace(s.traceId)) !== undefined),
      "the spans of every webhook",
      15_000,
    );
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
    await subscriber?.close();
    await receiver?.close();
  });

  it("sends three webhooks whose traces are distinct", () => {
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.traceId)).size).toBe(3);
    expect(receiver.errors).toEqual([]);
  });

  it("covers gateway, processor and notifier in one trace, with correct parent links", () => {
    for (const s of sent) {
      const spans = receiver.trace(s.traceId);
      const p = pipelineSpans(spans);
      expect(p, describeTrace(spans)).toBeDefined();
      if (!p) continue;
      const where = `trace ${s.traceId}:\n${describeTrace(spans)}`;

      // gateway: the SERVER span of the ingest route, the root of the trace
      expect(p.server.attributes["http.route"], where).toBe(INGEST_ROUTE);
      expect(p.server.attributes["hookrail.request_id"], where).toBe(s.requestId);
      expect(p.server.parentSpanId, where).toBeUndefined();
      expect(descendsFrom(p.gatewayPublish, p.server, spans), where).toBe(true);
      expect(p.gatewayPublish.attributes["messaging.system"], where).toBe("nats");
      expect(p.gatewayPublish.attributes["messaging.message.id"], where).toBe(s.webhookId);

      // processor: consumes the gateway's message, stores it, publishes the delivery request
      expect(p.processorConsume.parentSpanId, where).toBe(p.gatewayPublish.spanId);
      expect(p.processorConsume.attributes["messaging.system"], where).toBe("nats");
      expect(p.processorConsume.attributes["messaging.nats.message.delivery_count"], where).toBe(1);
      expect(p.processorConsume.attributes["hookrail.request_id"], where).toBe(s.requestId);
      const append = spans.find(
        (x) => x.service === "processor" && x.name === "event-store append",
      );
      expect(append, where).toBeDefined();
      if (append) expect(descendsFrom(append, p.processorConsume, spans), where).toBe(true);
      const pg = spans.filter((x) => x.service === "processor" && isPg(x));
      expect(pg.length, where).toBeGreaterThan(0);
      expect(
        pg.some((x) => descendsFrom(x, p.processorConsume, spans)),
        where,
      ).toBe(true);
      expect(descendsFrom(p.processorPublish, p.processorConsume, spans), where).toBe(true);

      // notifier: consumes the processor's message and POSTs to the subscriber
      expect(p.notifierConsume.parentSpanId, where).toBe(p.processorPublish.spanId);
      expect(p.notifierConsume.attributes["messaging.nats.message.delivery_count"], where).toBe(1);
      expect(descendsFrom(p.client, p.notifierConsume, spans), where).toBe(true);
      expect(p.client.attributes["url.full"], where).toBe(subscriber.url);
      // the subscriber's traceparent was injected by that CLIENT span
      expect(p.client.spanId, where).toBe(s.parentSpanId);
      expect(p.client.attributes["http.response.status_code"], where).toBe(200);

      // no orphans: every parent is a span of the trace, and there is one root
      const ids = new Set(spans.map((x) => x.spanId));
      const orphans = spans.filter((x) => x.parentSpanId && !ids.has(x.parentSpanId));
      expect(
        orphans.map((x) => `${x.service} ${x.name}`),
        where,
      ).toEqual([]);
      expect(
        spans.filter((x) => !x.parentSpanId).map((x) => x.spanId),
        where,
      ).toEqual([p.server.spanId]);
      // one SERVER span per request: nothing (Sentry included) makes a second one
      expect(spans.filter((x) => x.kind === "server").length, where).toBe(1);
      // and the subscriber's traceparent is the trace of the gateway's server span
      expect(p.server.traceId).toBe(s.traceId);
    }
  });

  it(`was exported as ${protocol}, compression ${compression}`, () => {
    const expected = protocol === "http/json" ? "application/json" : "application/x-protobuf";
    expect(receiver.contentTypes.length).toBeGreaterThan(0);
    expect(new Set(receiver.contentTypes)).toEqual(new Set([expected]));
    expect(new Set(receiver.contentEncodings)).toEqual(
      new Set([compression === "gzip" ? "gzip" : "identity"]),
    );
  });

  it("does not trace /metrics, /healthz or /readyz", () => {
    const opsPorts = new Set([...cluster.processes.keys()].map((name) => cluster.opsPorts[name]));
    const opsSpans = receiver.spans.filter(
      (s) =>
        s.kind === "server" &&
        (OPS_PATHS.includes(
          String(s.attributes["url.path"] ?? s.attributes["http.target"] ?? ""),
        ) ||
          opsPorts.has(Number(s.attributes["server.port"] ?? s.attributes["net.host.port"] ?? 0))),
    );
    expect(opsSpans.map((s) => `${s.service} ${s.name}`)).toEqual([]);
    // Every server span is the gateway's API; none is an ops request.
    const servers = receiver.spans.filter((s) => s.kind === "server");
    expect(servers.length).toBeGreaterThan(0);
    expect(new Set(servers.map((s) => s.service))).toEqual(new Set(["gateway"]));
  });

  it("makes no span outside a request's trace (timers and readiness checks make none)", () => {
    // Every root is a gateway SERVER span (webhooks and the admin calls of the set-up).
    const roots = receiver.spans.filter((s) => !s.parentSpanId);
    expect(
      roots
        .filter((s) => !(s.service === "gateway" && s.kind === "server"))
        .map((s) => `${s.service} ${s.name}`),
    ).toEqual([]);
  });
});
