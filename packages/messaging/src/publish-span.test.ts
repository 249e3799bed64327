import {
  type Attributes,
  type Context,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startPublishSpan } from "./publish-span.js";

// A tracer that records what it is asked to start, and whose spans record their attributes.
const started: Array<{ name: string; options: SpanOptions; parent: Context }> = [];
const attributes: Attributes[] = [];
const tracer = {
  startSpan(name: string, options: SpanOptions = {}, parent: Context = ROOT_CONTEXT): Span {
    started.push({ name, options, parent });
    const recorded: Attributes = {};
    attributes.push(recorded);
    const span = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
    });
    return Object.assign(span, {
      isRecording: () => true,
      setAttributes: (a: Attributes) => Object.assign(recorded, a) && span,
    });
  },
} as unknown as Tracer;

const parentWith = (traceFlags: number) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "b7ad6b7169203331",
    traceFlags,
  });

beforeAll(() => {
  trace.setGlobalTracerProvider({ getTracer: () => tracer });
});
afterAll(() => trace.disable());
beforeEach(() => {
  started.length = 0;
  attributes.length = 0;
});

const opts = { msgId: "m1", messageType: "webhook.received", requestId: "r1" };

describe("startPublishSpan", () => {
  it("starts a PRODUCER span with the messaging attributes under a kept trace", () => {
    const parent = parentWith(1);
    const { context } = startPublishSpan("hookrail.webhooks.github", { ...opts, context: parent });
    expect(started).toHaveLength(1);
    expect(started[0]?.name).toBe("publish webhook.received");
    expect(started[0]?.options.kind).toBe(3); // SpanKind.PRODUCER
    expect(started[0]?.parent).toBe(parent);
    expect(attributes[0]).toMatchObject({
      "messaging.system": "nats",
      "messaging.destination.name": "hookrail.webhooks.github",
      "messaging.message.id": "m1",
      "hookrail.request_id": "r1",
    });
    expect(trace.getSpanContext(context)?.spanId).toBe("00f067aa0ba902b7");
  });

  it("lets the sampler decide for a publish outside any trace", () => {
    startPublishSpan("s", { ...opts, context: ROOT_CONTEXT });
    expect(started).toHaveLength(1);
  });

  it("starts no span under a trace that is not kept: the parent's context travels on", () => {
    const parent = parentWith(0);
    const { span, context } = startPublishSpan("s", { ...opts, context: parent });
    expect(started).toEqual([]);
    expect(context).toBe(parent);
    expect(span.spanContext().spanId).toBe("b7ad6b7169203331");
    expect(span.isRecording()).toBe(false);
  });

  it("leaves a publish under the invalid context of a suppressed trace to the tracer", () => {
    const suppressed = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
    startPublishSpan("s", { ...opts, context: suppressed });
    expect(started).toHaveLength(1);
  });
});
