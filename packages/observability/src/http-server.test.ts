import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, metrics, propagation, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  type HistogramMetricData,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import express from "express";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EmitBindingContextManager } from "./context-manager.js";
import { hostAndPort, normalMethod, traceRequests } from "./http-server.js";
import { W3CPropagator } from "./propagator.js";
import { talliedMetrics } from "./tallied-histogram.js";

// A real HTTP server with an express app behind traceRequests, the SDK's tracer provider with an
// in-memory exporter, and a metric reader collected on demand.

class TestReader extends MetricReader {
  constructor() {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      metricProducers: [talliedMetrics.enable()],
    });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

const spans = new InMemorySpanExporter();
let sampler: Sampler = new AlwaysOnSampler();
const reader = new TestReader();
let server: Server;
let base: string;
const seenInHandler: Array<string | undefined> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new EmitBindingContextManager().enable());
  propagation.setGlobalPropagator(new W3CPropagator());
  trace.setGlobalTracerProvider(
    new TracerProvider({
      sampler: { shouldSample: (...args) => sampler.shouldSample(...args) },
      spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    }),
  );
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  const app = express();
  app.post("/things/:id", express.json(), (req, res) => {
    // After the body was read from the socket: still the request's span.
    seenInHandler.push(trace.getActiveSpan()?.spanContext().spanId);
    res.status(201).json({ id: req.params.id, got: req.body });
  });
  app.get("/fail", () => {
    throw new Error("boom");
  });
  app.get("/slow", () => {
    // never answers: the client gives up
  });
  server = createServer(traceRequests(app));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
});

afterEach(() => {
  spans.reset();
  seenInHandler.length = 0;
  sampler = new AlwaysOnSampler();
});

/** Spans are ended on the response's close, just after the client has its answer. */
async function serverSpans(count: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 100 && spans.getFinishedSpans().length < count; i++)
    await new Promise((r) => setTimeout(r, 10));
  return spans.getFinishedSpans();
}

async function durations() {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === "http.server.request.duration") as
    | HistogramMetricData
    | undefined;
  return (metric?.dataPoints ?? []).map((p) => ({
    attributes: p.attributes,
    count: p.value.count,
  }));
}

describe("traceRequests", () => {
  it("makes one SERVER span per request, named and labelled by the express route", async () => {
    const res = await fetch(`${base}/things/42?token=secret`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "test-agent" },
      body: JSON.stringify({ a: 1 }),
    });
    expect(res.status).toBe(201);
    const [span] = await serverSpans(1);
    expect(span?.name).toBe("POST /things/:id");
    expect(span?.kind).toBe(1); // SpanKind.SERVER
    expect(span?.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/things/:id",
      "http.response.status_code": 201,
      "url.scheme": "http",
      "url.path": "/things/42",
      "server.address": "127.0.0.1",
      "user_agent.original": "test-agent",
      "network.protocol.version": "1.1",
    });
    // the query string is never recorded: it may carry tokens
    expect(JSON.stringify(span?.attributes)).not.toContain("secret");
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    // the handler ran after the body arrived from the socket, in the request's span
    expect(seenInHandler).toEqual([span?.spanContext().spanId]);
  });

  it("keeps the request's span after a body that arrives in pieces, later", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${base}/things/9`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "16" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
      req.write('{"pad":"');
      // the rest reaches the server in a later read of the socket
      setTimeout(() => req.end('abcdef"}'), 100);
    });
    expect(status).toBe(201);
    const [span] = await serverSpans(1);
    expect(seenInHandler).toEqual([span?.spanContext().spanId]);
  });

  it("continues the caller's trace from its traceparent", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await fetch(`${base}/things/1`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      },
      body: "{}",
    });
    const [span] = await serverSpans(1);
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
  });

  it("marks server errors, and names a request no route matched by its method only", async () => {
    expect((await fetch(`${base}/fail`)).status).toBe(500);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    const byPath = new Map((await serverSpans(2)).map((s) => [s.attributes["url.path"], s]));
    const failed = byPath.get("/fail");
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes["error.type"]).toBe("500");
    expect(failed?.attributes["http.route"]).toBe("/fail");
    const missing = byPath.get("/nowhere");
    expect(missing?.name).toBe("GET");
    expect(missing?.attributes["http.route"]).toBeUndefined();
    expect(missing?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("marks a request whose client left before the answer as aborted", async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${base}/slow`);
      req.on("error", () => resolve());
      req.end();
      setTimeout(() => req.destroy(), 50);
    });
    const [span] = await serverSpans(1);
    expect(span?.attributes["error.type"]).toBe("aborted");
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("records nothing of a trace the sampler drops, but still counts the request", async () => {
    sampler = new AlwaysOffSampler();
    const before = await durations();
    await fetch(`${base}/things/7`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(spans.getFinishedSpans()).toEqual([]);
    // the handler still had a (non-recording) span with a trace id, for logs and propagation
    expect(seenInHandler[0]).toMatch(/^[0-9a-f]{16}$/);
    const count = (points: Awaited<ReturnType<typeof durations>>) =>
      points
        .filter((p) => p.attributes["http.route"] === "/things/:id")
        .filter((p) => p.attributes["http.response.status_code"] === 201)
        .reduce((sum, p) => sum + p.count, 0);
    expect(count(await durations()) - count(before)).toBe(1);
  });

  it("records http.server.request.duration by method, route, status and error type", async () => {
    await fetch(`${base}/fail`);
    const points = await durations();
    const failed = points.find((p) => p.attributes["http.route"] === "/fail");
    expect(failed?.attributes).toEqual({
      "http.request.method": "GET",
      "url.scheme": "http",
      "network.protocol.version": "1.1",
      "http.response.status_code": 500,
      "http.route": "/fail",
      "error.type": "500",
    });
  });
});

describe("normalMethod and hostAndPort", () => {
  it("keeps known methods and folds others into _OTHER", () => {
    expect(normalMethod("get")).toBe("GET");
    expect(normalMethod("PURGE")).toBe("_OTHER");
    expect(normalMethod(undefined)).toBe("GET");
  });

  it("splits a Host header", () => {
    expect(hostAndPort("example.com")).toEqual({ host: "example.com" });
    expect(hostAndPort("10.0.0.1:8080")).toEqual({ host: "10.0.0.1", port: 8080 });
    expect(hostAndPort("[::1]:3000")).toEqual({ host: "::1", port: 3000 });
    expect(hostAndPort("[::1]")).toEqual({ host: "::1" });
    expect(hostAndPort(undefined)).toEqual({});
    expect(hostAndPort("a:b:c")).toEqual({});
  });
});
