import {
  type Baggage,
  type Context,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from "@opentelemetry/api";
import {
  isTracingSuppressed,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import { baggagePair, RequestIdBaggage } from "./request-baggage.js";

// The W3C limits the baggage propagator applies (https://www.w3.org/TR/baggage/#limits); the
// limit of one pair is baggagePair's.
const MAX_PAIRS = 180;
const MAX_HEADER_LENGTH = 8192;

/**
 * W3C trace context and baggage, as OpenTelemetry's default pair (`tracecontext,baggage`) sends
 * and reads them, in one propagator. Every publish of every webhook injects both; going through
 * the composite propagator and the baggage propagator's copy-map-encode-filter-join cost the
 * gateway several µs per message for one entry (the request id). Extraction is theirs, unchanged.
 */
export class W3CPropagator implements TextMapPropagator {
  readonly #traceContext = new W3CTraceContextPropagator();
  readonly #baggage = new W3CBaggagePropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.#traceContext.inject(context, carrier, setter);
    const baggage = propagation.getBaggage(context);
    if (!baggage || isTracingSuppressed(context)) return;
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
