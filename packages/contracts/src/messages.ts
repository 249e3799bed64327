import { z } from "zod";

/**
 * JSON messages on JetStream. The request id and W3C trace context travel in headers, not here.
 * (Received webhooks are not JSON messages: see webhook-message.ts.)
 */
export const WebhookReplayRequestedMessage = z.object({
  kind: z.literal("webhook.replay-requested"),
  webhookId: z.uuid(),
  replayId: z.uuid(),
  requestedAt: z.iso.datetime(),
  /** Only to these subscriptions (still only those active and matching); all when omitted. */
  subscriptionIds: z.array(z.string()).min(1).optional(),
});
export type WebhookReplayRequestedMessage = z.infer<typeof WebhookReplayRequestedMessage>;

/** Asks the notifier to make attempt `attempt` of a delivery. */
export const DeliveryRequestedMessage = z.object({
  kind: z.literal("delivery.requested"),
  deliveryId: z.uuid(),
  webhookId: z.uuid(),
  subscriptionId: z.string(),
  attempt: z.number().int().min(1),
});
export type DeliveryRequestedMessage = z.infer<typeof DeliveryRequestedMessage>;

/**
 * A delivery request ready to publish: the subject of its lane (first attempts, or retries) and
 * the msgID that makes a repeated request for the same attempt a no-op.
 */
export function deliveryRequest(
  t: { subjects: { deliveryFirst(s: string): string; deliveryRetry(s: string): string } },
  d: { deliveryId: string; webhookId: string; subscriptionId: string; attempt: number },
  lane: "first" | "retry",
): { subject: string; payload: DeliveryRequestedMessage; msgId: string } {
  return {
    subject:
      lane === "first"
        ? t.subjects.deliveryFirst(d.subscriptionId)
        : t.subjects.deliveryRetry(d.subscriptionId),
    payload: {
      kind: "delivery.requested",
      deliveryId: d.deliveryId,
      webhookId: d.webhookId,
      subscriptionId: d.subscriptionId,
      attempt: d.attempt,
    },
    msgId: `${d.deliveryId}:${d.attempt}`,
  };
}
