import {
  type Baggage,
  baggageEntryMetadataFromString,
  type Context,
  propagation,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import {
  CompositePropagator,
  suppressTracing,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import { describe, expect, it } from "vitest";
import { UnkeptSpanContext } from "./new-trace.js";
import { W3CPropagator } from "./propagator.js";

// The reference: what OpenTelemetry's default (tracecontext,baggage) sends and reads.
const reference = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});
const lean = new W3CPropagator();
const setter = {
  set(c: Record<string, string>, k: string, v: string) {
    c[k] = v;
  },
};
const getter = {
  keys: (c: Record<string, string>) => Object.keys(c),
  get: (c: Record<string, string>, k: string) => c[k],
};

function withSpan(ctx: Context, traceState?: string): Context {
  const withState = traceState
    ? {
        traceState: new W3CTraceContextPropagator().extract(
          ROOT_CONTEXT,
          {
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            tracestate: traceState,
          },
          getter,
        ),
      }
    : {};
  const state = withState.traceState
    ? trace.getSpanContext(withState.traceState)?.traceState
    : undefined;
  return trace.setSpanContext(ctx, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.SAMPLED,
    ...(state ? { traceState: state } : {}),
  });
}

const withBaggage = (ctx: Context, baggage: Baggage) => propagation.setBaggage(ctx, baggage);

function injected(propagator: typeof lean | typeof reference, ctx: Context) {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, setter);
  return carrier;
}

const cases: Array<[string, Context]> = [
  ["nothing", ROOT_CONTEXT],
  ["a span", withSpan(ROOT_CONTEXT)],
  ["a span with tracestate", withSpan(ROOT_CONTEXT, "vendor=abc,other=1")],
  [
    "the request id",
    withBaggage(
      withSpan(ROOT_CONTEXT),
      propagation.createBaggage({ "hookrail.request_id": { value: "5f1c3c1e-6b0a-4b8e" } }),
    ),
  ],
  [
    "entries that need encoding, and metadata",
    withBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({
        "key with space": { value: "a,b;c=d é" },
        plain: { value: "v", metadata: baggageEntryMetadataFromString("prop=1") },
      }),
    ),
  ],
  [
    "more than 180 entries",
    withBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage(
        Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, { value: `v${i}` }])),
      ),
    ),
  ],
  [
    "entries beyond the length limits",
    withBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({
        huge: { value: "x".repeat(5000) },
        ...Object.fromEntries(
          Array.from({ length: 5 }, (_, i) => [`k${i}`, { value: "y".repeat(3000) }]),
        ),
        last: { value: "z" },
      }),
    ),
  ],
  ["tracing suppressed", suppressTracing(withSpan(ROOT_CONTEXT))],
  [
    "an unkept new trace's span",
    trace.setSpanContext(
      ROOT_CONTEXT,
      new UnkeptSpanContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"),
    ),
  ],
  ...(
    [
      ["not sampled", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.NONE],
      ["flags beyond sampled", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 0x0b],
      ["an all-zero trace id", "0".repeat(32), "b7ad6b7169203331", TraceFlags.SAMPLED],
      ["an all-zero span id", "0af7651916cd43dd8448eb211c80319c", "0".repeat(16), 1],
      ["ids that are not hex", "0af7651916cd43dd8448eb211c80319x", "b7ad6b7169203331", 1],
      ["a short trace id", "0af7651916cd43dd8448eb211c8031", "b7ad6b7169203331", 1],
    ] as const
  ).map(([name, traceId, spanId, traceFlags]): [string, Context] => [
    name,
    trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags }),
  ]),
];

describe("W3CPropagator", () => {
  it.each(cases)("injects what tracecontext,baggage injects: %s", (_name, ctx) => {
    expect(injected(lean, ctx)).toEqual(injected(reference, ctx));
  });

  it("reads back what it wrote: ids, flags, state and baggage", () => {
    const ctx = withBaggage(
      withSpan(ROOT_CONTEXT, "vendor=abc"),
      propagation.createBaggage({
        "hookrail.request_id": { value: "id-1" },
        "a b": { value: "ü" },
      }),
    );
    const read = lean.extract(ROOT_CONTEXT, injected(lean, ctx), getter);
    const span = trace.getSpanContext(read);
    expect(span).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(span?.traceState?.get("vendor")).toBe("abc");
    const baggage = propagation.getBaggage(read);
    expect(baggage?.getEntry("hookrail.request_id")?.value).toBe("id-1");
    expect(baggage?.getEntry("a b")?.value).toBe("ü");
  });

  it("names the fields it uses", () => {
    expect(lean.fields()).toEqual(["traceparent", "tracestate", "baggage"]);
  });
});
