import type { LifecycleEvent } from "./lifecycle-events.js";
import type { ProviderName } from "./providers.js";

/**
 * The domain events of the event store. Each stream holds the history of one thing:
 * `source-<id>`, `subscription-<id>`, `apikey-<id>`, `webhook-<id>`, `delivery-<id>`.
 * docs/architecture.md explains the model; projections are derived from these alone.
 */
export type DomainEvent =
  | SourceRegistered
  | SubscriptionCreated
  | ApiKeyCreated
  | WebhookReceived
  | WebhookReplayRequested
  | DeliveryRequested
  | DeliveryAttempted
  | DeliverySucceeded
  | DeliveryRetryScheduled
  | DeliveryFailed
  | LifecycleEvent;

export type EventType = DomainEvent["type"];

export interface SourceRegistered {
  type: "SourceRegistered";
  data: {
    sourceId: string;
    name: string;
    provider: ProviderName;
    secret: string;
    options: Record<string, unknown>;
  };
}

export interface SubscriptionCreated {
  type: "SubscriptionCreated";
  data: {
    subscriptionId: string;
    url: string;
    eventTypes: string[];
    sourceIds: string[] | null;
    secret: string;
  };
}

export interface ApiKeyCreated {
  type: "ApiKeyCreated";
  data: {
    apiKeyId: string;
    name: string;
    scopes: string[];
    /** SHA-256 of the key, hex. The key itself is never stored. */
    keyHash: string;
    /** The first characters of the key, shown in listings so a person can tell keys apart. */
    keyPrefix: string;
    /** After this instant the key no longer authenticates; null: it does not expire. */
    expiresAt?: string | null;
  };
}

export interface WebhookReceived {
  type: "WebhookReceived";
  data: {
    webhookId: string;
    sourceId: string;
    providerDeliveryId: string;
    eventType: string;
    receivedAt: string;
    contentType: string;
    body: string;
    /** JetStream sequence of the message, for resuming after a restore. */
    streamSequence: number;
  };
}

export interface WebhookReplayRequested {
  type: "WebhookReplayRequested";
  data: { webhookId: string; replayId: string; requestedAt: string };
}

export interface DeliveryRequested {
  type: "DeliveryRequested";
  data: {
    deliveryId: string;
    webhookId: string;
    subscriptionId: string;
    reason: "initial" | "replay";
  };
}

export interface DeliveryAttempted {
  type: "DeliveryAttempted";
  data: {
    deliveryId: string;
    webhookId: string;
    attempt: number;
    startedAt: string;
    durationMs: number;
    /** HTTP status, or null when no response came (timeout, refused, DNS). */
    statusCode: number | null;
    error: string | null;
    succeeded: boolean;
  };
}

export interface DeliverySucceeded {
  type: "DeliverySucceeded";
  data: { deliveryId: string; webhookId: string; attempts: number; deliveredAt: string };
}

export interface DeliveryRetryScheduled {
  type: "DeliveryRetryScheduled";
  data: { deliveryId: string; webhookId: string; nextAttempt: number; nextAttemptAt: string };
}

export interface DeliveryFailed {
  type: "DeliveryFailed";
  data: { deliveryId: string; webhookId: string; attempts: number; reason: string };
}

/** Metadata on every stored event: who caused it, and where to find its trace. */
export interface EventMetadata {
  requestId?: string;
  traceId?: string;
  /** The service that appended the event. */
  source: string;
  /** The webhook this event belongs to, when it belongs to one (for the timeline). */
  webhookId?: string;
}

/** Stream id helpers, so the naming scheme lives in one place. */
export const streamId = {
  source: (id: string) => `source-${id}`,
  subscription: (id: string) => `subscription-${id}`,
  apiKey: (id: string) => `apikey-${id}`,
  webhook: (id: string) => `webhook-${id}`,
  delivery: (id: string) => `delivery-${id}`,
} as const;
