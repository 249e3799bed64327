import type { SentWebhook } from "./load.js";
import type { StoreSnapshot } from "./store.js";
import type { Receipt } from "./subscriber.js";

/** A subscription of the case: where its deliveries arrive, and what it takes. */
export interface CaseSubscription {
  id: string;
  path: string;
  /** "*" or exact event types (the only patterns the suite registers). */
  eventTypes: string[];
}

export interface CheckInput {
  sent: Iterable<SentWebhook>;
  store: StoreSnapshot;
  receipts: readonly Receipt[];
  subscriptions: readonly CaseSubscription[];
}

/**
 * The verdict on one case, after Jepsen's queue checker: sets of the load generator's keys, and
 * counts. `lost`, `unexpected`, duplicate events and missing deliveries must all be empty.
 */
export interface Verdict {
  attempted: number;
  /** Keys answered 202 at least once. */
  accepted: number;
  /** Answers by status, over every exchange ("none": refused, reset or timed out). */
  answers: Record<string, number>;
  stored: number;
  /** accepted − stored. */
  lost: string[];
  /** stored − attempted. */
  unexpected: string[];
  /** stored ∩ (attempted − accepted): stored although the sender never saw a 202. */
  recovered: number;
  duplicateWebhookReceived: number;
  duplicateDeliveryRequested: number;
  duplicateStreamVersions: number;
  /** (stored webhook, matching subscription) pairs. */
  deliveriesExpected: number;
  /** Expected pairs answered 2xx at least once. */
  delivered: number;
  /** Expected pairs never delivered: `key → path`. */
  missingDeliveries: string[];
  /** Expected pairs without a DeliveryRequested event. */
  missingRequests: number;
  /** 2xx receipts beyond the first per `webhook-id` (at-least-once allows them; counted). */
  duplicateDeliveries: number;
  /** Deliveries of webhooks that are not stored, or to a pair that should not get one. */
  strayDeliveries: number;
  deadLetters: number;
}

const matches = (sub: CaseSubscription, eventType: string) =>
  sub.eventTypes.includes("*") || sub.eventTypes.includes(eventType);

export function check(input: CheckInput): Verdict {
  const { store, receipts, subscriptions } = input;
  const sent = [...input.sent];
  const attempted = new Set(sent.map((w) => w.key));
  const accepted = new Set(sent.filter((w) => w.acceptedAt !== undefined).map((w) => w.key));
  const answers: Record<string, number> = {};
  for (const w of sent) {
    for (const e of w.exchanges) {
      const label = e.status === null ? "none" : String(e.status);
      answers[label] = (answers[label] ?? 0) + 1;
    }
  }
  const stored = new Set(store.webhooks.keys());
  const lost = [...accepted].filter((k) => !stored.has(k));
  const unexpected = [...stored].filter((k) => !attempted.has(k));
  const recovered = [...stored].filter((k) => attempted.has(k) && !accepted.has(k)).length;

  const expected = new Set<string>();
  let missingRequests = 0;
  for (const w of store.webhooks.values()) {
    for (const s of subscriptions) {
      if (!matches(s, w.eventType)) continue;
      expected.add(`${w.key}|${s.path}`);
      if (!store.deliveryRequests.has(`${w.webhookId}|${s.id}`)) missingRequests++;
    }
  }
  const delivered = new Set<string>();
  const seenDeliveryIds = new Set<string>();
  let duplicateDeliveries = 0;
  let strayDeliveries = 0;
  for (const r of receipts) {
    if (r.status < 200 || r.status > 299) continue;
    const pair = `${r.webhookKey}|${r.path}`;
    if (!expected.has(pair)) strayDeliveries++;
    else delivered.add(pair);
    if (seenDeliveryIds.has(r.deliveryId)) duplicateDeliveries++;
    seenDeliveryIds.add(r.deliveryId);
  }
  const missingDeliveries = [...expected].filter((p) => !delivered.has(p));
  return {
    attempted: attempted.size,
    accepted: accepted.size,
    answers,
    stored: stored.size,
    lost,
    unexpected,
    recovered,
    duplicateWebhookReceived: store.duplicateWebhookReceived,
    duplicateDeliveryRequested: store.duplicateDeliveryRequested,
    duplicateStreamVersions: store.duplicateStreamVersions,
    deliveriesExpected: expected.size,
    delivered: delivered.size,
    missingDeliveries: missingDeliveries.map((p) => p.replace("|", " → ")),
    missingRequests,
    duplicateDeliveries,
    strayDeliveries,
    deadLetters: store.deadLetters.length,
  };
}
