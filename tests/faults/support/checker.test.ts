import { describe, expect, it } from "vitest";
import { check } from "./checker.js";
import type { SentWebhook } from "./load.js";
import type { StoreSnapshot } from "./store.js";
import type { Receipt } from "./subscriber.js";

// The fault suite's checker, on hand-made histories: each set it reports, and nothing else.

const sent = (key: string, statuses: Array<number | null>, eventType = "order.even") => {
  const w: SentWebhook = {
    key,
    eventType,
    exchanges: statuses.map((status, i) => ({ key, sentAt: i, answeredAt: i + 1, status })),
  };
  const accepted = w.exchanges.find((e) => e.status === 202);
  if (accepted) w.acceptedAt = accepted.answeredAt;
  return w;
};

// Keys are stored as order.even unless written `key:type`.
const store = (keys: string[], extra: Partial<StoreSnapshot> = {}): StoreSnapshot => ({
  webhooks: new Map(
    keys.map((k) => {
      const [key = k, eventType = "order.even"] = k.split(":");
      return [key, { key, webhookId: `w-${key}`, eventType, recordedAt: 0 }];
    }),
  ),
  duplicateWebhookReceived: 0,
  deliveryRequests: new Set(keys.flatMap((k) => [`w-${k}|s-all`, `w-${k}|s-even`])),
  duplicateDeliveryRequested: 0,
  duplicateStreamVersions: 0,
  deadLetters: [],
  unsettledDeliveries: 0,
  scheduledRetries: 0,
  ...extra,
});

const receipt = (key: string, path: string, deliveryId = `${key}${path}`): Receipt => ({
  path,
  deliveryId,
  webhookKey: key,
  status: 200,
  at: 0,
});

const subscriptions = [
  { id: "s-all", path: "/all", eventTypes: ["*"] },
  { id: "s-even", path: "/even", eventTypes: ["order.even"] },
];

describe("the fault checker", () => {
  it("finds lost, unexpected and recovered webhooks", () => {
    const v = check({
      sent: [sent("a", [202]), sent("b", [503, 202]), sent("c", [null]), sent("d", [503])],
      // b accepted on retry; c stored although its answer was lost; d never stored; a lost.
      store: store(["b", "c", "x"]),
      receipts: [],
      subscriptions,
    });
    expect(v.attempted).toBe(4);
    expect(v.accepted).toBe(2);
    expect(v.lost).toEqual(["a"]);
    expect(v.unexpected).toEqual(["x"]);
    expect(v.recovered).toBe(1);
    expect(v.answers).toEqual({ "202": 2, "503": 2, none: 1 });
  });

  it("expects one delivery per matching subscription, and counts repeats of a webhook-id", () => {
    const v = check({
      sent: [sent("a", [202]), sent("b", [202], "order.odd")],
      store: store(["a", "b:order.odd"]),
      receipts: [
        receipt("a", "/all"),
        receipt("a", "/all"),
        receipt("a", "/even"),
        receipt("b", "/even"), // b is odd: no subscription of /even takes it
      ],
      subscriptions,
    });
    expect(v.deliveriesExpected).toBe(3);
    expect(v.delivered).toBe(2);
    expect(v.missingDeliveries).toEqual(["b → /all"]);
    expect(v.duplicateDeliveries).toBe(1);
    expect(v.strayDeliveries).toBe(1);
  });

  it("reports duplicate events and missing delivery requests from the store", () => {
    const v = check({
      sent: [sent("a", [202])],
      store: store(["a"], { duplicateWebhookReceived: 1, deliveryRequests: new Set() }),
      receipts: [],
      subscriptions,
    });
    expect(v.duplicateWebhookReceived).toBe(1);
    expect(v.missingRequests).toBe(2);
  });
});
