import type { Context } from "@opentelemetry/api";
import {
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";

/**
 * Keeps the first `perSecond` new traces of each second, and `ratio` of the traces beyond them
 * (chosen by trace id, so every service that sees a trace id without a parent agrees).
 *
 * Why not keep every trace: a kept trace is a tree of spans in three services (database queries
 * included), each recorded, encoded and exported, then stored by the collector, for every webhook;
 * keeping all of them cost the gateway a few points more throughput in the bench
 * (docs/performance.md). Why not a plain ratio: a quiet
 * installation, a demo or a test would then lose most of the few traces it makes. The reservoir
 * keeps all of them at low rates; under load the cost stays bounded. The same shape as AWS X-Ray's
 * default rule (a reservoir per second plus a fixed rate).
 */
export class ReservoirRatioSampler implements Sampler {
  readonly #perSecond: number;
  readonly #ratio: TraceIdRatioBasedSampler;
  readonly #now: () => number;
  #second = -1;
  #keptThisSecond = 0;

  constructor(options: { perSecond: number; ratio: number; now?: () => number }) {
    this.#perSecond = options.perSecond;
    this.#ratio = new TraceIdRatioBasedSampler(options.ratio);
    this.#now = options.now ?? Date.now;
  }

  shouldSample(context: Context, traceId: string): SamplingResult {
    const second = Math.floor(this.#now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#keptThisSecond = 0;
    }
    if (this.#keptThisSecond < this.#perSecond) {
      this.#keptThisSecond++;
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    }
    return this.#ratio.shouldSample(context, traceId);
  }

  toString(): string {
    return `ReservoirRatioSampler{perSecond=${this.#perSecond}, ${this.#ratio.toString()}}`;
  }
}

/**
 * Hookrail's default when OTEL_TRACES_SAMPLER is not set: a trace that arrives sampled (or not)
 * keeps its caller's decision; a new one goes through the reservoir-and-ratio sampler.
 */
export function defaultSampler(options: { perSecond: number; ratio: number }): Sampler {
  return new ParentBasedSampler({ root: new ReservoirRatioSampler(options) });
}
