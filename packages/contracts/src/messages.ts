import { z } from "zod";
import { ProviderName } from "./providers.js";

/**
 * Messages on JetStream. The request id and W3C trace context travel in headers, not here.
 * Bodies are kept as the exact string received, so signatures computed over them stay valid.
 */
export const WebhookReceivedMessage = z.object({
  kind: z.literal("webhook.received"),
  webhookId: z.string().uuid(),
  sourceId: z.string(),
  provider: ProviderName,
  /** The provider's own id of this delivery: the deduplication key. */
  providerDeliveryId: z.string().min(1).max(512),
  eventType: z.string().min(1).max(256),
  receivedAt: z.iso.datetime(),
  contentType: z.string(),
  body: z.string(),
});
export type WebhookReceivedMessage = z.infer<typeof WebhookReceivedMessage>;

export const WebhookReplayRequestedMessage = z.object({
  kind: z.literal("webhook.replay-requested"),
  webhookId: z.string().uuid(),
  replayId: z.string().uuid(),
  requestedAt: z.iso.datetime(),
});
export type WebhookReplayRequestedMessage = z.infer<typeof WebhookReplayRequestedMessage>;

/** What the processor consumes from the WEBHOOKS stream. */
export const WebhookStreamMessage = z.discriminatedUnion("kind", [
  WebhookReceivedMessage,
  WebhookReplayRequestedMessage,
]);
export type WebhookStreamMessage = z.infer<typeof WebhookStreamMessage>;

/** Asks the notifier to make attempt `attempt` of a delivery. */
export const DeliveryRequestedMessage = z.object({
  kind: z.literal("delivery.requested"),
  deliveryId: z.string().uuid(),
  webhookId: z.string().uuid(),
  subscriptionId: z.string(),
  attempt: z.number().int().min(1),
});
export type DeliveryRequestedMessage = z.infer<typeof DeliveryRequestedMessage>;
