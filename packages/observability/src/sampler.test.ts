import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from "@opentelemetry/api";
import { SamplingDecision, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { defaultSampler, ReservoirRatioSampler } from "./sampler.js";

// Trace ids whose ratio decision is known: the SDK XORs the id's four 32-bit words and keeps the
// trace when that falls below ratio × 2^32, so 0x0000000f is kept at any ratio above zero and
// 0xffffffff at none below one.
const KEPT_BY_RATIO = "0000000000000000000000000000000f";
const DROPPED_BY_RATIO = "ffffffff000000000000000000000000";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const decide = (sampler: ReservoirRatioSampler, traceId = DROPPED_BY_RATIO) =>
  sampler.shouldSample(ROOT_CONTEXT, traceId).decision;

describe("ReservoirRatioSampler", () => {
  it("keeps the first perSecond traces of a second, then only the ratio's", () => {
    const c = clock();
    const sampler = new ReservoirRatioSampler({ perSecond: 3, ratio: 0.5, now: c.now });
    const decisions = Array.from({ length: 5 }, () => decide(sampler));
    expect(decisions).toEqual([
      SamplingDecision.RECORD_AND_SAMPLED,
      SamplingDecision.RECORD_AND_SAMPLED,
      SamplingDecision.RECORD_AND_SAMPLED,
      SamplingDecision.NOT_RECORD,
      SamplingDecision.NOT_RECORD,
    ]);
    expect(decide(sampler, KEPT_BY_RATIO)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it("refills the reservoir each second", () => {
    const c = clock(5_000);
    const sampler = new ReservoirRatioSampler({ perSecond: 1, ratio: 0, now: c.now });
    expect(decide(sampler)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    c.advance(999);
    expect(decide(sampler, KEPT_BY_RATIO)).toBe(SamplingDecision.NOT_RECORD);
    c.advance(1);
    expect(decide(sampler)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it("keeps every trace at ratio 1 and none beyond the reservoir at ratio 0", () => {
    const always = new ReservoirRatioSampler({ perSecond: 0, ratio: 1 });
    const never = new ReservoirRatioSampler({ perSecond: 0, ratio: 0 });
    for (let i = 0; i < 100; i++) {
      expect(decide(always)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      expect(decide(never, KEPT_BY_RATIO)).toBe(SamplingDecision.NOT_RECORD);
    }
  });

  it("keeps about the ratio of random traces beyond the reservoir", () => {
    const sampler = new ReservoirRatioSampler({ perSecond: 0, ratio: 0.1 });
    let kept = 0;
    for (let i = 0; i < 20_000; i++) {
      const id = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
      if (decide(sampler, id.join("")) === SamplingDecision.RECORD_AND_SAMPLED) kept++;
    }
    expect(kept / 20_000).toBeGreaterThan(0.08);
    expect(kept / 20_000).toBeLessThan(0.12);
  });

  it("chooses by trace id exactly as OpenTelemetry's TraceIdRatioBased sampler does", () => {
    const randomId = () =>
      Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
    for (const ratio of [0, 0.01, 0.1, 0.5, 0.99, 1]) {
      const ours = new ReservoirRatioSampler({ perSecond: 0, ratio });
      const theirs = new TraceIdRatioBasedSampler(ratio);
      for (let i = 0; i < 2_000; i++) {
        const id = i % 2 ? randomId() : randomId().toUpperCase();
        expect(decide(ours, id), `${id} at ${ratio}`).toBe(
          theirs.shouldSample(ROOT_CONTEXT, id).decision,
        );
      }
    }
  });

  it("keeps a trace marked as already kept without spending the reservoir on it", () => {
    const sampler = new ReservoirRatioSampler({ perSecond: 1, ratio: 0, now: clock().now });
    const kept = ReservoirRatioSampler.keptRoot(ROOT_CONTEXT);
    expect(sampler.keeps(DROPPED_BY_RATIO)).toBe(true);
    expect(sampler.shouldSample(kept, DROPPED_BY_RATIO).decision).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    expect(sampler.keeps(DROPPED_BY_RATIO)).toBe(false);
    expect(decide(sampler)).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe("defaultSampler", () => {
  const parent = (sampled: boolean) =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: DROPPED_BY_RATIO,
      spanId: "b7ad6b7169203331",
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });

  it("follows a caller's decision and spends no reservoir on it", () => {
    const sampler = defaultSampler(new ReservoirRatioSampler({ perSecond: 1, ratio: 0 }));
    const ask = (ctx = ROOT_CONTEXT) =>
      sampler.shouldSample(ctx, DROPPED_BY_RATIO, "span", SpanKind.SERVER, {}, []).decision;
    expect(ask(parent(false))).toBe(SamplingDecision.NOT_RECORD);
    expect(ask(parent(true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(ask()).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(ask()).toBe(SamplingDecision.NOT_RECORD);
    expect(ask(parent(true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });
});
