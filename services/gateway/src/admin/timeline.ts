import type { StoredEvent } from "@hookrail/event-store";

/** One step in a webhook's life, as the timeline API shows it. */
export interface TimelineEntry {
  type: string;
  at: string;
  position?: number;
  deliveryId?: string;
  subscriptionId?: string;
  attempt?: number;
  statusCode?: number | null;
  durationMs?: number;
  error?: string | null;
  nextAttemptAt?: string;
  reason?: string;
}

/**
 * Turns a webhook's events into its timeline: `received` (the gateway accepted it), `persisted`
 * (the processor stored it), then each delivery request, attempt and outcome in log order.
 */
export function buildTimeline(events: readonly StoredEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const e of events) {
    const at = e.recordedAt.toISOString();
    switch (e.type) {
      case "WebhookReceived":
        entries.push({ type: "received", at: e.data.receivedAt });
        entries.push({ type: "persisted", at, position: e.position });
        break;
      case "WebhookReplayRequested":
        entries.push({ type: "replay_requested", at, position: e.position });
        break;
      case "DeliveryRequested":
        entries.push({
          type: "delivery_requested",
          at,
          position: e.position,
          deliveryId: e.data.deliveryId,
          subscriptionId: e.data.subscriptionId,
          reason: e.data.reason,
        });
        break;
      case "DeliveryAttempted":
        entries.push({
          type: "delivery_attempted",
          at: e.data.startedAt,
          position: e.position,
          deliveryId: e.data.deliveryId,
          attempt: e.data.attempt,
          statusCode: e.data.statusCode,
          durationMs: e.data.durationMs,
          error: e.data.error,
        });
        break;
      case "DeliveryRetryScheduled":
        entries.push({
          type: "delivery_retry_scheduled",
          at,
          position: e.position,
          deliveryId: e.data.deliveryId,
          attempt: e.data.nextAttempt,
          nextAttemptAt: e.data.nextAttemptAt,
        });
        break;
      case "DeliverySucceeded":
        entries.push({
          type: "delivered",
          at,
          position: e.position,
          deliveryId: e.data.deliveryId,
          attempt: e.data.attempts,
        });
        break;
      case "DeliveryFailed":
        entries.push({
          type: "delivery_failed",
          at,
          position: e.position,
          deliveryId: e.data.deliveryId,
          attempt: e.data.attempts,
          reason: e.data.reason,
        });
        break;
    }
  }
  return entries;
}
