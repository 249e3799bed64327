/**
 * Events that change sources and subscriptions after they are created, and reopen deliveries.
 * (The creation events and the webhook/delivery life are in events.ts.)
 */

/** An endpoint answered 410 Gone, or an operator disabled it. Its webhooks stay stored and replayable. */
export interface SubscriptionDisabled {
  type: "SubscriptionDisabled";
  data: { subscriptionId: string; reason: string };
}

/** An operator paused deliveries; they are kept and can be replayed after resuming. */
export interface SubscriptionPaused {
  type: "SubscriptionPaused";
  data: { subscriptionId: string };
}

/** Deliveries start again (after a pause, or for a disabled subscription). */
export interface SubscriptionResumed {
  type: "SubscriptionResumed";
  data: { subscriptionId: string };
}

/** A new signing secret; until `previousSecretExpiresAt` deliveries are signed with both. */
export interface SubscriptionSecretRotated {
  type: "SubscriptionSecretRotated";
  data: {
    subscriptionId: string;
    secret: string;
    previousSecret: string;
    previousSecretExpiresAt: string;
  };
}

/** A source's new secret; until `previousSecretExpiresAt` the gateway accepts both. */
export interface SourceSecretRotated {
  type: "SourceSecretRotated";
  data: {
    sourceId: string;
    secret: string;
    previousSecret: string;
    previousSecretExpiresAt: string;
  };
}

/** An operator asked for another attempt of a failed (dead-lettered) delivery. */
export interface DeliveryRetryRequested {
  type: "DeliveryRetryRequested";
  data: { deliveryId: string; webhookId: string; attempt: number; reason: string };
}

/** An API key stops working at once. */
export interface ApiKeyRevoked {
  type: "ApiKeyRevoked";
  data: { apiKeyId: string };
}

export type LifecycleEvent =
  | ApiKeyRevoked
  | SubscriptionDisabled
  | SubscriptionPaused
  | SubscriptionResumed
  | SubscriptionSecretRotated
  | SourceSecretRotated
  | DeliveryRetryRequested;
