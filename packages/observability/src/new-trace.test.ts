import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterEach, describe, expect, it } from "vitest";
import { PooledIdGenerator } from "./id-generator.js";
import { LINKED_ROOT } from "./linked-context.js";
import { decideNewTracesWith, startSpan } from "./new-trace.js";
import { defaultSampler, ReservoirRatioSampler } from "./sampler.js";

// The SDK's tracer provider wired as otel.ts wires it: Hookrail's sampler and ids, shared with
// the fast path for new traces.
function provider(options: { perSecond: number; ratio: number }) {
  const sampler = new ReservoirRatioSampler({ ...options, now: () => 42_000 });
  const ids = new PooledIdGenerator();
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({
    sampler: defaultSampler(sampler),
    idGenerator: ids,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  }).getTracer("test");
  decideNewTracesWith({ sampler, ids });
  const start = (parent = LINKED_ROOT) =>
    startSpan(tracer, "GET", { kind: SpanKind.SERVER }, parent);
  return { tracer, exporter, start };
}

const remoteParent = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });

afterEach(() => decideNewTracesWith(undefined));

describe("startSpan", () => {
  it("makes an unkept new trace's span as the SDK would: valid ids, not sampled, nothing exported", () => {
    const { tracer, exporter, start } = provider({ perSecond: 0, ratio: 0 });
    const ours = start();
    const theirs = tracer.startSpan("GET", { kind: SpanKind.SERVER }, LINKED_ROOT);
    for (const span of [ours, theirs]) {
      expect(span.isRecording()).toBe(false);
      expect(span.spanContext()).toMatchObject({
        traceId: expect.stringMatching(/^(?!0{32})[0-9a-f]{32}$/),
        spanId: expect.stringMatching(/^(?!0{16})[0-9a-f]{16}$/),
        traceFlags: TraceFlags.NONE,
      });
      span.end();
    }
    expect(ours.spanContext().traceId).not.toBe(theirs.spanContext().traceId);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it("has the SDK start a kept new trace's span, and spends the reservoir once on it", () => {
    const { exporter, start } = provider({ perSecond: 2, ratio: 0 });
    const spans = Array.from({ length: 4 }, () => start());
    expect(spans.map((s) => s.isRecording())).toEqual([true, true, false, false]);
    expect(spans.map((s) => s.spanContext().traceFlags)).toEqual([
      TraceFlags.SAMPLED,
      TraceFlags.SAMPLED,
      TraceFlags.NONE,
      TraceFlags.NONE,
    ]);
    for (const span of spans) span.end();
    expect(exporter.getFinishedSpans().map((s) => s.kind)).toEqual([
      SpanKind.SERVER,
      SpanKind.SERVER,
    ]);
  });

  it("keeps the ratio's share of new traces beyond the reservoir", () => {
    const { start } = provider({ perSecond: 0, ratio: 0.25 });
    let kept = 0;
    for (let i = 0; i < 4_000; i++) if (start().isRecording()) kept++;
    expect(kept / 4_000).toBeGreaterThan(0.2);
    expect(kept / 4_000).toBeLessThan(0.3);
  });

  it("leaves a span with a parent to the SDK: the caller's trace and decision", () => {
    const { start } = provider({ perSecond: 100, ratio: 1 });
    const sampled = start(remoteParent(true));
    const unsampled = start(remoteParent(false));
    expect(sampled.isRecording()).toBe(true);
    expect(unsampled.isRecording()).toBe(false);
    for (const span of [sampled, unsampled])
      expect(span.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("makes no trace where tracing is suppressed, as the SDK makes none", () => {
    const { start } = provider({ perSecond: 100, ratio: 1 });
    expect(trace.isSpanContextValid(start(suppressTracing(LINKED_ROOT)).spanContext())).toBe(false);
  });

  it("is the SDK's startSpan until the bootstrap hands it the sampler and ids", () => {
    decideNewTracesWith(undefined);
    const exporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    }).getTracer("test");
    startSpan(tracer, "GET", {}, LINKED_ROOT).end();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});
