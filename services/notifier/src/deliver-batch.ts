import { type DeliveryRequestedMessage, HeaderName } from "@hookrail/contracts";
import type { AttemptResult, CircuitBreakers, Dispatcher, KeyedLimiter } from "@hookrail/delivery";
import type { Database } from "@hookrail/event-store";
import type { ConsumedMessage } from "@hookrail/messaging";
import { type Logger, withRequestId } from "@hookrail/observability";
import type { SecretBox } from "@hookrail/secrets";
import { context } from "@opentelemetry/api";
import type { Kysely } from "kysely";
import { type DeliveryToAttempt, loadDeliveries } from "./load-deliveries.js";
import { type AttemptContext, deferredOutcome, heldOutcome, outcomeOf } from "./outcome.js";
import { type Done, recordOutcomes } from "./record-outcomes.js";

export interface NotifierDeps {
  db: Kysely<Database>;
  logger: Logger;
  dispatcher: Dispatcher;
  breakers: CircuitBreakers;
  /** Opens the signing secrets, sealed at rest. */
  secrets: SecretBox;
  limiter: KeyedLimiter;
  schedule: readonly number[];
  timeoutMs: number;
  now: () => Date;
}

type Msg = ConsumedMessage<DeliveryRequestedMessage>;

/**
 * Makes the requested attempts of a batch concurrently (at most so many per subscription), then
 * records every result in one transaction. A request for an attempt already made (a redelivered
 * message, a duplicate from the retry timer) is skipped, so each attempt is recorded once.
 * A paused or disabled subscription gets nothing sent; an open circuit defers the attempt.
 */
export async function deliverBatch(deps: NotifierDeps, batch: readonly Msg[]): Promise<void> {
  const deliveries = await loadDeliveries(
    deps.db,
    batch.map((m) => m.data.deliveryId),
  );
  const due: Array<{ msg: Msg; delivery: DeliveryToAttempt }> = [];
  for (const msg of batch) {
    const delivery = deliveries.get(msg.data.deliveryId);
    // Requests are published after the commit that created the delivery, so it must exist.
    if (!delivery) throw new Error(`delivery ${msg.data.deliveryId} is not in the event store`);
    if (
      delivery.status === "succeeded" ||
      delivery.status === "failed" ||
      delivery.attempts >= msg.data.attempt
    )
      continue;
    if (due.some((d) => d.delivery.id === delivery.id)) continue;
    due.push({ msg, delivery });
  }
  const done = await Promise.all(due.map(({ msg, delivery }) => handleOne(deps, msg, delivery)));
  await recordOutcomes(deps, done);
}

function handleOne(deps: NotifierDeps, msg: Msg, delivery: DeliveryToAttempt): Promise<Done> {
  const ctx: AttemptContext = {
    deliveryId: delivery.id,
    webhookId: delivery.webhookId,
    attempt: msg.data.attempt,
    startedAt: deps.now(),
    schedule: deps.schedule,
    now: deps.now(),
  };
  if (delivery.subscriptionStatus !== "active") {
    return Promise.resolve({
      msg,
      delivery,
      outcome: heldOutcome(ctx, delivery.subscriptionStatus),
    });
  }
  const circuit = deps.breakers.decide(delivery.subscriptionId);
  if (!circuit.allowed)
    return Promise.resolve({ msg, delivery, outcome: deferredOutcome(ctx, circuit.retryAt) });
  return deps.limiter.run(delivery.subscriptionId, () => attempt(deps, msg, delivery));
}

function attempt(deps: NotifierDeps, msg: Msg, delivery: DeliveryToAttempt): Promise<Done> {
  const requestId = delivery.requestId ?? msg.requestId;
  const run = async (): Promise<Done> => {
    const startedAt = deps.now();
    const result: AttemptResult = await deps.dispatcher.deliver({
      url: delivery.url,
      deliveryId: delivery.id,
      body: delivery.body,
      contentType: delivery.contentType,
      secrets: delivery.secrets.map((s) => deps.secrets.open(s)),
      headers: requestId ? { [HeaderName.requestId]: requestId } : {},
      timeoutMs: deps.timeoutMs,
      // Subscriber responses are untrusted: read little of them.
      maxResponseBytes: 64 * 1024,
    });
    const outcome = outcomeOf(
      {
        deliveryId: delivery.id,
        webhookId: delivery.webhookId,
        attempt: msg.data.attempt,
        startedAt,
        schedule: deps.schedule,
        now: deps.now(),
      },
      result,
    );
    deps.breakers.record(
      delivery.subscriptionId,
      result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300,
    );
    deps.logger.info(
      {
        deliveryId: delivery.id,
        attempt: msg.data.attempt,
        statusCode: result.statusCode,
        durationMs: Math.round(result.durationMs),
        error: result.error ?? undefined,
      },
      "delivery attempted",
    );
    return { msg, delivery, outcome };
  };
  // The attempt runs in the webhook's trace and request context: its logs and its outbound span join them.
  return context.with(msg.context, () => (requestId ? withRequestId(requestId, run) : run()));
}
