import { type Context, createContextKey } from "@opentelemetry/api";
import {
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
} from "@opentelemetry/sdk-trace";

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/** Set on a context whose new trace this sampler already chose to keep (see `keptRoot`). */
const ALREADY_KEPT = createContextKey("hookrail.sampler.already_kept");

/**
 * Keeps the first `perSecond` new traces of each second, and `ratio` of the traces beyond them
 * (chosen by trace id, as OpenTelemetry's TraceIdRatioBased sampler chooses, so every service
 * that sees a trace id without a parent agrees, whichever of the two it runs).
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
  readonly #ratio: number;
  readonly #upperBound: number;
  readonly #now: () => number;
  #second = -1;
  #keptThisSecond = 0;

  constructor(options: { perSecond: number; ratio: number; now?: () => number }) {
    this.#perSecond = options.perSecond;
    this.#ratio = Math.min(Math.max(options.ratio, 0), 1);
    this.#upperBound = ratioUpperBound(this.#ratio);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Called by the SDK for a span without a valid parent, with a trace id the SDK's id generator
   * just made: valid, so it is not checked again (the SDK's ratio sampler checks it, a regex per
   * new trace).
   */
  shouldSample(context: Context, traceId: string): SamplingResult {
    if (context.getValue(ALREADY_KEPT) === true) return SAMPLED;
    return this.keeps(traceId) ? SAMPLED : NOT_SAMPLED;
  }

  /** Whether a new trace with this id is kept; counts it against the reservoir if so. */
  keeps(traceId: string): boolean {
    const second = Math.floor(this.#now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#keptThisSecond = 0;
    }
    if (this.#keptThisSecond < this.#perSecond) {
      this.#keptThisSecond++;
      return true;
    }
    return traceIdFraction(traceId) < this.#upperBound;
  }

  /**
   * `context`, marked so that this sampler keeps the new trace started under it without counting
   * it again: for a caller that asked `keeps` before letting the SDK start the span.
   */
  static keptRoot(context: Context): Context {
    return context.setValue(ALREADY_KEPT, true);
  }

  toString(): string {
    return `ReservoirRatioSampler{perSecond=${this.#perSecond}, ratio=${this.#ratio}}`;
  }
}

/** TraceIdRatioBased's bound: a trace is kept when `traceIdFraction` falls below it. */
function ratioUpperBound(ratio: number): number {
  return ratio === 1 ? 2 ** 32 : Math.floor(ratio * (2 ** 32 - 1));
}

/** TraceIdRatioBased's measure of a trace id: its four 32-bit words XORed (hex, either case). */
function traceIdFraction(traceId: string): number {
  let accumulation = 0;
  for (let i = 0; i < 32; i += 8) {
    let word = 0;
    for (let j = 0; j < 8; j++) {
      const c = traceId.charCodeAt(i + j);
      word = (word << 4) | (c < 58 ? c - 48 : c < 71 ? c - 55 : c - 87);
    }
    accumulation = (accumulation ^ word) >>> 0;
  }
  return accumulation;
}

/**
 * Hookrail's default when OTEL_TRACES_SAMPLER is not set: a trace that arrives sampled (or not)
 * keeps its caller's decision; a new one goes through the reservoir-and-ratio sampler.
 */
export function defaultSampler(root: ReservoirRatioSampler): Sampler {
  return new ParentBasedSampler({ root });
}
