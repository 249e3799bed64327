import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { EmitBindingContextManager } from "./context-manager.js";
import { REQUEST_ID_BAGGAGE } from "./request-baggage.js";
import {
  currentRequestId,
  keepRequestIdsInTraceContext,
  withRequestId,
} from "./request-context.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
const baggageId = () =>
  propagation.getBaggage(context.active())?.getEntry(REQUEST_ID_BAGGAGE)?.value;

afterEach(() => keepRequestIdsInTraceContext(false));
afterAll(() => context.disable());

describe("the request id, telemetry off", () => {
  it("follows the work through awaits, and only that work", async () => {
    const seen = await withRequestId("r1", async () => {
      await tick();
      return currentRequestId();
    });
    expect(seen).toBe("r1");
    expect(currentRequestId()).toBeUndefined();
  });
});

describe("the request id, telemetry on", () => {
  it("lives in the trace context, with the span, and in its baggage", async () => {
    context.setGlobalContextManager(new EmitBindingContextManager().enable());
    keepRequestIdsInTraceContext();
    const span = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
    });
    const seen = await context.with(trace.setSpan(ROOT_CONTEXT, span), () =>
      withRequestId("r2", async () => {
        await tick();
        // A context derived from the request's keeps the id (as a child span's would).
        const derived = context.active().setValue(Symbol("other"), 1);
        const inDerived = context.with(derived, () => currentRequestId());
        return {
          id: currentRequestId(),
          inDerived,
          baggage: baggageId(),
          span: trace.getActiveSpan()?.spanContext().spanId,
        };
      }),
    );
    expect(seen).toEqual({ id: "r2", inDerived: "r2", baggage: "r2", span: "b7ad6b7169203331" });
    expect(currentRequestId()).toBeUndefined();
    // Concurrent requests keep their own ids.
    const both = await Promise.all(
      ["a", "b"].map((id) =>
        withRequestId(id, async () => {
          await tick();
          return currentRequestId();
        }),
      ),
    );
    expect(both).toEqual(["a", "b"]);
  });

  it("is the one in the baggage a consumer extracted with the trace", () => {
    context.setGlobalContextManager(new EmitBindingContextManager().enable());
    keepRequestIdsInTraceContext();
    const extracted = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({ [REQUEST_ID_BAGGAGE]: { value: "from-headers" } }),
    );
    expect(context.with(extracted, () => currentRequestId())).toBe("from-headers");
    expect(context.with(extracted, () => withRequestId("r3", () => currentRequestId()))).toBe("r3");
  });
});
