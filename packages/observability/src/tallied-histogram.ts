import { type Attributes, type HrTime, ValueType } from "@opentelemetry/api";
import { hrTime } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  type MetricProducer,
} from "@opentelemetry/sdk-metrics";

/** One attribute set's buckets, as the SDK's explicit-bucket histogram keeps them. */
interface Series {
  attributes: Attributes;
  startTime: HrTime;
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface HistogramDescriptor {
  name: string;
  description: string;
  unit: string;
  /** Upper bounds, ascending; a value equal to a bound counts in that bound's bucket. */
  boundaries: readonly number[];
}

/**
 * A histogram for the hottest path (one record per request): each record names its attribute
 * set by a string key the caller composes from a few values, and the attributes object is made
 * once per set. The SDK's synchronous histogram instead sorts and serialises the attributes of
 * every record to find their series, which was most of what the histogram cost a webhook.
 * Readers collect it through `talliedMetrics`, a metric producer, with the same data points
 * (cumulative explicit buckets, sum, count, min, max) the SDK's own histogram would give.
 */
export class TalliedHistogram {
  readonly #series = new Map<string, Series>();

  constructor(
    readonly descriptor: HistogramDescriptor,
    private readonly recording: { enabled: boolean },
  ) {}

  /** Records `value` in the set `key`; `attributes` is called only the first time `key` occurs. */
  record(value: number, key: string, attributes: () => Attributes): void {
    if (!this.recording.enabled || Number.isNaN(value)) return;
    let series = this.#series.get(key);
    if (!series) {
      series = {
        attributes: attributes(),
        startTime: hrTime(),
        counts: new Array<number>(this.descriptor.boundaries.length + 1).fill(0),
        sum: 0,
        count: 0,
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
      };
      this.#series.set(key, series);
    }
    series.count += 1;
    series.sum += value;
    if (value < series.min) series.min = value;
    if (value > series.max) series.max = value;
    const bucket = bucketOf(this.descriptor.boundaries, value);
    // eslint-disable-next-line security/detect-object-injection -- a bucket index in range, from bucketOf
    series.counts[bucket] = (series.counts[bucket] ?? 0) + 1;
  }

  /** What a reader exports: one data point per attribute set, totals since the set's start. */
  metricData(endTime: HrTime): HistogramMetricData {
    const { name, description, unit, boundaries } = this.descriptor;
    return {
      descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [...this.#series.values()].map((s) => ({
        attributes: s.attributes,
        startTime: s.startTime,
        endTime,
        value: {
          buckets: { boundaries: [...boundaries], counts: [...s.counts] },
          sum: s.sum,
          count: s.count,
          min: s.min,
          max: s.max,
        },
      })),
    };
  }
}

/** The first bucket whose upper bound is at least `value` (the last one is unbounded). */
function bucketOf(boundaries: readonly number[], value: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // eslint-disable-next-line security/detect-object-injection -- mid is an index within the array
    if ((boundaries[mid] ?? Number.POSITIVE_INFINITY) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Makes tallied histograms and hands their data to metric readers: enable it and pass it as a
 * reader's `metricProducers` (the Prometheus exporter's, in otel.ts).
 */
export class TalliedMetrics implements MetricProducer {
  /** By instrumentation scope (as a meter's name), then by histogram name. */
  readonly #scopes = new Map<string, Map<string, TalliedHistogram>>();
  readonly #recording = { enabled: false };

  /**
   * Starts recording. Until then (and with telemetry off, forever) a record costs one check and
   * keeps nothing, like an instrument of OpenTelemetry's no-op meter.
   */
  enable(): this {
    this.#recording.enabled = true;
    return this;
  }

  /** The histogram of this name in this scope, made on first use. */
  histogram(scope: string, descriptor: HistogramDescriptor): TalliedHistogram {
    let histograms = this.#scopes.get(scope);
    if (!histograms) {
      histograms = new Map();
      this.#scopes.set(scope, histograms);
    }
    let histogram = histograms.get(descriptor.name);
    if (!histogram) {
      histogram = new TalliedHistogram(descriptor, this.#recording);
      histograms.set(descriptor.name, histogram);
    }
    return histogram;
  }

  async collect(): Promise<CollectionResult> {
    const now = hrTime();
    return {
      // The reader keeps its own resource and takes only the scope metrics from here.
      resourceMetrics: {
        resource: EMPTY_RESOURCE,
        scopeMetrics: [...this.#scopes].map(([name, histograms]) => ({
          scope: { name },
          metrics: [...histograms.values()].map((h) => h.metricData(now)),
        })),
      },
      errors: [],
    };
  }
}

const EMPTY_RESOURCE = resourceFromAttributes({});

/** The process's tallied metrics; the telemetry bootstrap registers it with its reader. */
export const talliedMetrics = new TalliedMetrics();
