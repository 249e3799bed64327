import type { Attributes } from "@opentelemetry/api";
import {
  AggregationTemporality,
  type HistogramMetricData,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { TalliedMetrics } from "./tallied-histogram.js";

class TestReader extends MetricReader {
  constructor(options: ConstructorParameters<typeof MetricReader>[0] = {}) {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE, ...options });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 1];
// Values on every bound, between them, below the first and above the last.
const VALUES = [0, 0.001, 0.005, 0.0050001, 0.01, 0.02, 0.025, 0.05, 0.07, 0.1, 0.5, 1, 1.5, 30];
const SETS: Array<{ key: string; attributes: Attributes }> = [
  {
    key: "POST 202",
    attributes: { "http.request.method": "POST", "http.response.status_code": 202 },
  },
  {
    key: "GET 404",
    attributes: { "http.request.method": "GET", "http.response.status_code": 404 },
  },
];

async function histogramOf(reader: TestReader, name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name) as HistogramMetricData | undefined;
  return metric;
}

const comparable = (m: HistogramMetricData | undefined) =>
  (m?.dataPoints ?? [])
    .map((p) => ({ attributes: p.attributes, value: p.value }))
    .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));

describe("TalliedHistogram", () => {
  it("gives a reader the data points the SDK's own histogram gives for the same records", async () => {
    const sdkReader = new TestReader();
    const sdk = new MeterProvider({ readers: [sdkReader] })
      .getMeter("test")
      .createHistogram("sdk.duration", {
        unit: "s",
        advice: { explicitBucketBoundaries: BOUNDARIES },
      });
    const tallied = new TalliedMetrics().enable();
    const talliedReader = new TestReader({ metricProducers: [tallied] });
    new MeterProvider({ readers: [talliedReader] });
    const histogram = tallied.histogram("test", {
      name: "tallied.duration",
      description: "d",
      unit: "s",
      boundaries: BOUNDARIES,
    });
    let made = 0;
    for (const [i, value] of [...VALUES, Number.NaN].entries()) {
      const set = SETS[i % SETS.length] ?? SETS[0];
      if (!set) throw new Error("no attribute sets");
      sdk.record(value, set.attributes);
      histogram.record(value, set.key, () => {
        made++;
        return set.attributes;
      });
    }
    const expected = comparable(await histogramOf(sdkReader, "sdk.duration"));
    const actual = await histogramOf(talliedReader, "tallied.duration");
    expect(expected).toHaveLength(2);
    expect(comparable(actual)).toEqual(expected);
    expect(actual?.descriptor).toMatchObject({ name: "tallied.duration", unit: "s" });
    expect(actual?.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(made).toBe(2); // attributes made once per set, not per record
  });

  it("reports histograms under their instrumentation scope, totals growing between reads", async () => {
    const tallied = new TalliedMetrics().enable();
    const reader = new TestReader({ metricProducers: [tallied] });
    new MeterProvider({ readers: [reader] });
    const h = tallied.histogram("scope-a", {
      name: "a",
      description: "",
      unit: "s",
      boundaries: [1],
    });
    expect(
      tallied.histogram("scope-a", { name: "a", description: "", unit: "s", boundaries: [1] }),
    ).toBe(h);
    h.record(0.5, "k", () => ({}));
    const first = await reader.collect();
    h.record(2, "k", () => ({}));
    const second = await reader.collect();
    const point = (r: typeof first) =>
      (
        r.resourceMetrics.scopeMetrics.find((s) => s.scope.name === "scope-a")?.metrics[0] as
          | HistogramMetricData
          | undefined
      )?.dataPoints[0]?.value;
    expect(point(first)).toMatchObject({ count: 1, buckets: { counts: [1, 0] } });
    expect(point(second)).toMatchObject({ count: 2, sum: 2.5, buckets: { counts: [1, 1] } });
  });

  it("records nothing until enabled (telemetry off)", async () => {
    const tallied = new TalliedMetrics();
    const h = tallied.histogram("s", { name: "off", description: "", unit: "s", boundaries: [1] });
    let made = 0;
    h.record(0.5, "k", () => {
      made++;
      return {};
    });
    const { resourceMetrics } = await tallied.collect();
    expect(resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints).toEqual([]);
    expect(made).toBe(0);
    tallied.enable();
    h.record(0.5, "k", () => ({}));
    const after = await tallied.collect();
    expect(after.resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints).toHaveLength(1);
  });
});
