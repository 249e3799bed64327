import { propagation, ROOT_CONTEXT } from "@opentelemetry/api";
import { W3CBaggagePropagator } from "@opentelemetry/core";
import { describe, expect, it } from "vitest";
import { W3CPropagator } from "./propagator.js";
import { REQUEST_ID_BAGGAGE, RequestIdBaggage, withRequestIdBaggage } from "./request-baggage.js";

const setter = {
  set(c: Record<string, string>, k: string, v: string) {
    c[k] = v;
  },
};

// What OpenTelemetry's own baggage propagator writes for the same entries.
function referenceHeader(entries: Record<string, string>): string | undefined {
  const baggage = propagation.createBaggage(
    Object.fromEntries(Object.entries(entries).map(([k, value]) => [k, { value }])),
  );
  const carrier: Record<string, string> = {};
  new W3CBaggagePropagator().inject(propagation.setBaggage(ROOT_CONTEXT, baggage), carrier, setter);
  return carrier.baggage;
}

function leanHeader(baggage: ReturnType<typeof propagation.getBaggage>): string | undefined {
  const carrier: Record<string, string> = {};
  if (baggage)
    new W3CPropagator().inject(propagation.setBaggage(ROOT_CONTEXT, baggage), carrier, setter);
  return carrier.baggage;
}

describe("RequestIdBaggage", () => {
  it.each([
    ["a UUID", "0193a2b4-1234-7abc-8def-0123456789ab"],
    ["characters that need encoding", "id with spaces,=;%"],
    ["non-ASCII", "ïd-ü"],
  ])("sends the same header as OpenTelemetry's baggage for %s", (_what, id) => {
    const header = leanHeader(new RequestIdBaggage(id));
    expect(header).toBe(referenceHeader({ [REQUEST_ID_BAGGAGE]: id }));
    expect(header).toMatch(/^hookrail\.request_id=/);
  });

  it("sends no pair beyond the W3C length limit, as the reference does", () => {
    const id = "x".repeat(5000);
    expect(leanHeader(new RequestIdBaggage(id))).toBe(
      referenceHeader({ [REQUEST_ID_BAGGAGE]: id }),
    );
  });

  it("reads as the API's baggage and changes into it", () => {
    const baggage = new RequestIdBaggage("r1");
    expect(baggage.getEntry(REQUEST_ID_BAGGAGE)).toEqual({ value: "r1" });
    expect(baggage.getEntry("other")).toBeUndefined();
    expect(baggage.getAllEntries()).toEqual([[REQUEST_ID_BAGGAGE, { value: "r1" }]]);
    const more = baggage.setEntry("tenant", { value: "t" });
    expect(Object.fromEntries(more.getAllEntries())).toEqual({
      [REQUEST_ID_BAGGAGE]: { value: "r1" },
      tenant: { value: "t" },
    });
    expect(baggage.getAllEntries()).toHaveLength(1); // unchanged
    expect(baggage.removeEntry(REQUEST_ID_BAGGAGE).getAllEntries()).toEqual([]);
    expect(baggage.removeEntries("other").getAllEntries()).toHaveLength(1);
    expect(baggage.clear().getAllEntries()).toEqual([]);
  });
});

describe("withRequestIdBaggage", () => {
  it("puts the request id in a context that had no baggage", () => {
    const ctx = withRequestIdBaggage(ROOT_CONTEXT, "r1");
    expect(propagation.getBaggage(ctx)?.getEntry(REQUEST_ID_BAGGAGE)?.value).toBe("r1");
    expect(leanHeader(propagation.getBaggage(ctx))).toBe("hookrail.request_id=r1");
  });

  it("keeps the caller's baggage and overrides a request id it sent", () => {
    const sent = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({
        tenant: { value: "t" },
        [REQUEST_ID_BAGGAGE]: { value: "spoofed" },
      }),
    );
    const baggage = propagation.getBaggage(withRequestIdBaggage(sent, "r1"));
    expect(baggage?.getEntry("tenant")?.value).toBe("t");
    expect(baggage?.getEntry(REQUEST_ID_BAGGAGE)?.value).toBe("r1");
  });
});
