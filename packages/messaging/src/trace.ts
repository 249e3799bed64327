import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";

type Carrier = Record<string, string>;

const setter: TextMapSetter<Carrier> = {
  set(carrier, key, value) {
    // eslint-disable-next-line security/detect-object-injection -- keys are trace-context header names chosen by the OpenTelemetry propagator; values are strings
    carrier[key] = value;
  },
};

// Other clients (Go's canonical MIME form: "Traceparent") may change the case of a header on the
// way, so lookups fall back to a case-insensitive scan.
const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    // eslint-disable-next-line security/detect-object-injection -- keys are trace-context header names chosen by the OpenTelemetry propagator; a read
    const exact = carrier[key] ?? carrier[key.toLowerCase()];
    if (exact !== undefined) return exact;
    const lower = key.toLowerCase();
    for (const [k, v] of Object.entries(carrier)) if (k.toLowerCase() === lower) return v;
    return undefined;
  },
};

/**
 * Writes an OpenTelemetry context (by default the active one) into `headers`: W3C `traceparent`,
 * `tracestate`, `baggage`, or whatever the registered propagator emits. Without an SDK this
 * changes nothing.
 */
export function injectTraceHeaders(
  headers: Record<string, string>,
  from: Context = context.active(),
): void {
  propagation.inject(from, headers, setter);
}

/**
 * Reads the trace context carried by `headers` (any key case) into a Context rooted at
 * ROOT_CONTEXT, ready for `context.with`. Without a propagator it is ROOT_CONTEXT.
 */
export function extractTraceContext(headers: Record<string, string>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}
