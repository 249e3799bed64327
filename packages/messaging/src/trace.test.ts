import { randomBytes } from "node:crypto";
import type { Topology } from "@hookrail/contracts";
import type { NatsConnection } from "@nats-io/nats-core";
import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractTraceContext, injectTraceHeaders } from "./index.js";
import { consumerHarness } from "./test-support/consume.js";
import { deleteTopologies, testConnection, until } from "./test-support/nats.js";
import { TestContextManager, TestW3CPropagator } from "./test-support/otel.js";

let nc: NatsConnection;
const created: Topology[] = [];
const spanContext = () => ({
  traceId: randomBytes(16).toString("hex"),
  spanId: randomBytes(8).toString("hex"),
  traceFlags: 1,
});

describe("trace propagation without an SDK", () => {
  it("injects nothing and extracts the root context", () => {
    const headers: Record<string, string> = {};
    const active = trace.setSpanContext(ROOT_CONTEXT, spanContext());
    context.with(active, () => injectTraceHeaders(headers));
    expect(headers).toEqual({});
    const sc = spanContext();
    const extracted = extractTraceContext({ traceparent: `00-${sc.traceId}-${sc.spanId}-01` });
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });
});

describe("trace propagation with a W3C propagator", () => {
  beforeAll(async () => {
    context.setGlobalContextManager(new TestContextManager());
    propagation.setGlobalPropagator(new TestW3CPropagator());
    nc = await testConnection();
  });
  afterAll(async () => {
    propagation.disable();
    context.disable();
    await deleteTopologies(nc, created);
    await nc.close();
  });

  it("round-trips the active context through headers, whatever the key case", () => {
    const sc = spanContext();
    const headers: Record<string, string> = {};
    context.with(trace.setSpanContext(ROOT_CONTEXT, sc), () => injectTraceHeaders(headers));
    expect(headers.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
    const canonical = { Traceparent: headers.traceparent ?? "" };
    expect(trace.getSpanContext(extractTraceContext(canonical))).toMatchObject({
      traceId: sc.traceId,
      spanId: sc.spanId,
      isRemote: true,
    });
  });

  it("carries the publisher's context to the consumed message", async () => {
    const h = await consumerHarness(nc, created, { batchSize: 1 });
    const sc = spanContext();
    await context.with(trace.setSpanContext(ROOT_CONTEXT, sc), () =>
      h.publish({ n: 1 }, "traced-1"),
    );
    await until("handled", () => h.handled.length === 1);
    await h.consumer.stop();
    const m = h.handled[0];
    expect(m?.headers.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
    expect(trace.getSpanContext(m?.context ?? ROOT_CONTEXT)).toMatchObject({
      traceId: sc.traceId,
      spanId: sc.spanId,
    });
  });
});
