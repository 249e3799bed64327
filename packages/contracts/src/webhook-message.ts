import { z } from "zod";
import { HeaderName } from "./headers.js";
import { WebhookReplayRequestedMessage } from "./messages.js";
import { ProviderName } from "./providers.js";

/**
 * A received webhook on JetStream: the payload is the body, byte for byte, and everything else
 * rides in headers. So a body is never re-serialised on the hot path, signatures over it stay
 * valid, and a body as large as the broker allows fits.
 */
export const WebhookHeader = {
  webhookId: "Hookrail-Webhook-Id",
  sourceId: "Hookrail-Source-Id",
  provider: "Hookrail-Provider",
  providerDeliveryId: "Hookrail-Provider-Delivery-Id",
  eventType: "Hookrail-Event-Type",
  receivedAt: "Hookrail-Received-At",
  contentType: "Content-Type",
} as const;

export const WebhookReceivedMeta = z.object({
  webhookId: z.uuid(),
  sourceId: z.string().min(1),
  provider: ProviderName,
  /** The provider's own id of this delivery: the deduplication key. */
  providerDeliveryId: z.string().min(1).max(512),
  eventType: z.string().min(1).max(256),
  receivedAt: z.iso.datetime(),
  contentType: z.string(),
});
export type WebhookReceivedMeta = z.infer<typeof WebhookReceivedMeta>;

export interface WebhookReceivedMessage extends WebhookReceivedMeta {
  kind: "webhook.received";
  body: string;
}

/** Headers for a received webhook's message (values are header-safe: ids are validated). */
export function webhookHeaders(meta: WebhookReceivedMeta): Record<string, string> {
  return {
    [WebhookHeader.webhookId]: meta.webhookId,
    [WebhookHeader.sourceId]: meta.sourceId,
    [WebhookHeader.provider]: meta.provider,
    [WebhookHeader.providerDeliveryId]: encodeURIComponent(meta.providerDeliveryId),
    [WebhookHeader.eventType]: encodeURIComponent(meta.eventType),
    [WebhookHeader.receivedAt]: meta.receivedAt,
    [WebhookHeader.contentType]: meta.contentType,
  };
}

/** Reads a received webhook back from its headers (lowercase keys) and payload; throws if malformed. */
export function decodeWebhookReceived(
  headers: Readonly<Record<string, string>>,
  payload: Uint8Array,
): WebhookReceivedMessage {
  const h = (name: string) => headers[name.toLowerCase()];
  const meta = WebhookReceivedMeta.parse({
    webhookId: h(WebhookHeader.webhookId),
    sourceId: h(WebhookHeader.sourceId),
    provider: h(WebhookHeader.provider),
    providerDeliveryId: decodeURIComponent(h(WebhookHeader.providerDeliveryId) ?? ""),
    eventType: decodeURIComponent(h(WebhookHeader.eventType) ?? ""),
    receivedAt: h(WebhookHeader.receivedAt),
    contentType: h(WebhookHeader.contentType) ?? "application/json",
  });
  return { kind: "webhook.received", ...meta, body: Buffer.from(payload).toString("utf8") };
}

/** What the processor consumes from the WEBHOOKS stream. */
export type WebhookStreamMessage = WebhookReceivedMessage | WebhookReplayRequestedMessage;

/**
 * Decodes a WEBHOOKS-stream message by its `Hookrail-Message-Type` header. Throws on anything
 * malformed: the consumer treats that as a poison message.
 */
export function decodeWebhookStreamMessage(
  headers: Readonly<Record<string, string>>,
  payload: Uint8Array,
): WebhookStreamMessage {
  const type = headers[HeaderName.messageType.toLowerCase()];
  if (type === "webhook.replay-requested") {
    return WebhookReplayRequestedMessage.parse(JSON.parse(Buffer.from(payload).toString("utf8")));
  }
  if (type === "webhook.received") return decodeWebhookReceived(headers, payload);
  throw new Error(`unknown message type ${JSON.stringify(type)}`);
}
