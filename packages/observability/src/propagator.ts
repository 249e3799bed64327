import {
  type Baggage,
  type Context,
  isSpanContextValid,
  propagation,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";
import {
  isTracingSuppressed,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import { UnkeptSpanContext } from "./new-trace.js";
import { baggagePair, RequestIdBaggage } from "./request-baggage.js";

// The W3C limits the baggage propagator applies (https://www.w3.org/TR/baggage/#limits); the
// limit of one pair is baggagePair's.
const MAX_PAIRS = 180;
const MAX_HEADER_LENGTH = 8192;

/**
 * W3C trace context and baggage, as OpenTelemetry's default pair (`tracecontext,baggage`) sends
 * and reads them, in one propagator. Every publish of every webhook injects both; going through
 * the composite propagator and the baggage propagator's copy-map-encode-filter-join cost the
 * gateway several µs per message for one entry (the request id). `traceparent` is written as
 * theirs writes it, without checking again the ids of a span context this process made for an
 * unkept new trace (most of the gateway's under load; see new-trace.ts). Extraction is theirs,
 * unchanged.
 */
export class W3CPropagator implements TextMapPropagator {
  readonly #traceContext = new W3CTraceContextPropagator();
  readonly #baggage = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (isTracingSuppressed(context)) return;
    const span = trace.getSpanContext(context);
    if (span && (span instanceof UnkeptSpanContext || isSpanContextValid(span))) {
      setter.set(carrier, "traceparent", traceparent(span));
      if (span.traceState) setter.set(carrier, "tracestate", span.traceState.serialize());
    }
    const baggage = propagation.getBaggage(context);
    if (!baggage) return;
    // A request's own baggage (the request id alone) carries its header ready-made.
    const header = baggage instanceof RequestIdBaggage ? baggage.header : baggageHeader(baggage);
    if (header) setter.set(carrier, "baggage", header);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const traced = this.#traceContext.extract(context, carrier, getter);
    return this.#baggage.extract(traced, carrier, getter);
  }

  fields(): string[] {
    return [...this.#traceContext.fields(), ...this.#baggage.fields()];
  }
}

/** Version 00 of the W3C header: ids, then the flags as two hex digits. */
function traceparent(span: SpanContext): string {
  const flags = span.traceFlags & 0xff;
  return `00-${span.traceId}-${span.spanId}-${flags < 16 ? "0" : ""}${flags.toString(16)}`;
}

/** The `baggage` header for these entries; pairs beyond the W3C limits are left out. */
export function baggageHeader(baggage: Baggage): string {
  let header = "";
  let pairs = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    const pair = baggagePair(key, entry);
    if (pair === undefined) continue;
    if (++pairs > MAX_PAIRS) break;
    const next = header === "" ? pair : `${header},${pair}`;
    if (next.length <= MAX_HEADER_LENGTH) header = next;
  }
  return header;
}
