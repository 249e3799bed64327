import {
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import type { IdGenerator } from "@opentelemetry/sdk-trace";
import { ReservoirRatioSampler } from "./sampler.js";

// Most webhooks start a new trace (providers send no traceparent), and under load most of those
// traces are not kept. For such a span the SDK's tracer still runs its whole path: the
// parent-based sampler, the span's links and attributes cleaned, its own span metrics' attributes
// built (even with no meter), a result object per decision. When Hookrail's own sampler and ids
// are the SDK's (OTEL_TRACES_SAMPLER unset), the decision for a new trace is the sampler's alone,
// so it is made here and an unkept span is just its context, as the SDK would return it. A kept
// one is still started by the SDK, under a context telling the sampler it is already counted.
// (What the SDK's experimental self-metrics would count for unkept new-trace spans is not
// counted.)
interface NewTraceDecider {
  sampler: ReservoirRatioSampler;
  ids: IdGenerator;
}

let owned: NewTraceDecider | undefined;

/**
 * Called once by the bootstrap when this sampler and these ids are the tracer provider's;
 * `undefined` leaves every span to the tracer again.
 */
export function decideNewTracesWith(own: NewTraceDecider | undefined): void {
  owned = own;
}

/** What `tracer.startSpan(name, options, parent)` returns, made without the SDK for unkept new traces. */
export function startSpan(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  parent: Context,
): Span {
  if (!owned || trace.getSpan(parent) !== undefined || isTracingSuppressed(parent) || options.root)
    return tracer.startSpan(name, options, parent);
  const traceId = owned.ids.generateTraceId();
  if (owned.sampler.keeps(traceId))
    return tracer.startSpan(name, options, ReservoirRatioSampler.keptRoot(parent));
  return trace.wrapSpanContext(new UnkeptSpanContext(traceId, owned.ids.generateSpanId()));
}

/**
 * The context of an unkept new trace's span: ids from the pool, valid by construction, so that
 * propagating it need not check them again (W3CPropagator).
 */
export class UnkeptSpanContext implements SpanContext {
  readonly traceFlags = TraceFlags.NONE;

  constructor(
    readonly traceId: string,
    readonly spanId: string,
  ) {}
}
