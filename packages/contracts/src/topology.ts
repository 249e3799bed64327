/**
 * JetStream topology. Every name derives from one prefix so that installations and test runs can
 * share a NATS server without colliding.
 *
 * Streams:
 *  - WEBHOOKS  `<p>.webhooks.received.<sourceId>`, `<p>.webhooks.replay.<webhookId>`
 *  - DELIVERIES `<p>.deliveries.first.<subscriptionId>`, `<p>.deliveries.retry.<subscriptionId>`
 * Consumers: `processor` on WEBHOOKS; `notifier-first` and `notifier-retry` on DELIVERIES, so that
 * retries never take the capacity of first attempts.
 */
export type Topology = ReturnType<typeof topology>;

export function topology(prefix: string) {
  const upper = prefix.toUpperCase();
  const webhooks = `${upper}_WEBHOOKS`;
  const deliveries = `${upper}_DELIVERIES`;
  return {
    prefix,
    streams: {
      webhooks: { name: webhooks, subjects: [`${prefix}.webhooks.>`] },
      deliveries: { name: deliveries, subjects: [`${prefix}.deliveries.>`] },
    },
    subjects: {
      webhookReceived: (sourceId: string) => `${prefix}.webhooks.received.${sourceId}`,
      webhookReplay: (webhookId: string) => `${prefix}.webhooks.replay.${webhookId}`,
      deliveryFirst: (subscriptionId: string) => `${prefix}.deliveries.first.${subscriptionId}`,
      deliveryRetry: (subscriptionId: string) => `${prefix}.deliveries.retry.${subscriptionId}`,
    },
    consumers: {
      processor: { stream: webhooks, durable: "processor", filterSubject: `${prefix}.webhooks.>` },
      notifierFirst: {
        stream: deliveries,
        durable: "notifier-first",
        filterSubject: `${prefix}.deliveries.first.>`,
      },
      notifierRetry: {
        stream: deliveries,
        durable: "notifier-retry",
        filterSubject: `${prefix}.deliveries.retry.>`,
      },
    },
  } as const;
}
