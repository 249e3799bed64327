/** The fields of a subscription that decide whether a webhook goes to it. */
export interface SubscriptionFilter {
  id: string;
  eventTypes: readonly string[];
  /** null: every source. */
  sourceIds: readonly string[] | null;
}

/**
 * The subscriptions a webhook goes to: its source is among the subscription's sources (or the
 * subscription takes every source), and its event type is listed, or "*" is. A type ending in
 * ".*" matches that prefix: "invoice.*" takes "invoice.paid".
 */
export function matchSubscriptions<S extends SubscriptionFilter>(
  subscriptions: readonly S[],
  webhook: { sourceId: string; eventType: string },
): S[] {
  return subscriptions.filter(
    (s) =>
      (s.sourceIds === null || s.sourceIds.includes(webhook.sourceId)) &&
      s.eventTypes.some((t) => typeMatches(t, webhook.eventType)),
  );
}

function typeMatches(pattern: string, eventType: string): boolean {
  if (pattern === "*" || pattern === eventType) return true;
  return pattern.endsWith(".*") && eventType.startsWith(pattern.slice(0, -1));
}
