import {
  type DeliveryRequestedMessage,
  type EventMetadata,
  HeaderName,
  streamId,
} from "@hookrail/contracts";
import type { AttemptResult, Dispatcher } from "@hookrail/delivery";
import {
  appendEvents,
  ConcurrencyError,
  clearSchedules,
  type Database,
  scheduleAttempts,
} from "@hookrail/event-store";
import type { ConsumedMessage } from "@hookrail/messaging";
import {
  deliveryAttempts,
  deliveryLatency,
  type Logger,
  withRequestId,
} from "@hookrail/observability";
import { context, trace } from "@opentelemetry/api";
import type { Kysely, Transaction } from "kysely";
import { type DeliveryToAttempt, loadDeliveries } from "./load-deliveries.js";
import { type Outcome, outcomeOf } from "./outcome.js";

export interface NotifierDeps {
  db: Kysely<Database>;
  logger: Logger;
  dispatcher: Dispatcher;
  schedule: readonly number[];
  timeoutMs: number;
  now: () => Date;
}

type Msg = ConsumedMessage<DeliveryRequestedMessage>;
interface Done {
  msg: Msg;
  delivery: DeliveryToAttempt;
  outcome: Outcome;
}

/**
 * Makes the requested attempts of a batch concurrently, then records every result in one
 * transaction. A request for an attempt already made (a redelivered message, a duplicate from
 * the retry timer) is skipped, so each attempt is recorded once.
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
  const done = await Promise.all(due.map(({ msg, delivery }) => attempt(deps, msg, delivery)));
  await recordOutcomes(deps, done);
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
      secrets: [delivery.secret],
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

/** One transaction for the batch; if another notifier recorded one of them first, record the rest one by one. */
async function recordOutcomes(deps: NotifierDeps, done: readonly Done[]): Promise<void> {
  if (done.length === 0) return;
  const recorded = await record(deps, done);
  const now = deps.now().getTime();
  for (const d of recorded) {
    const last = d.outcome.events[d.outcome.events.length - 1];
    const outcome =
      last?.type === "DeliverySucceeded"
        ? "succeeded"
        : last?.type === "DeliveryFailed"
          ? "failed"
          : "retry_scheduled";
    deliveryAttempts().add(1, { outcome, attempt: String(d.msg.data.attempt) });
    if (outcome === "succeeded")
      deliveryLatency().record((now - d.delivery.receivedAt.getTime()) / 1000);
  }
}

/** Returns the outcomes this notifier recorded. */
async function record(deps: NotifierDeps, done: readonly Done[]): Promise<readonly Done[]> {
  try {
    await deps.db.transaction().execute((tx) => append(tx, done));
    return done;
  } catch (error) {
    if (!(error instanceof ConcurrencyError) || done.length === 1) throw error;
    const recorded: Done[] = [];
    for (const d of done) {
      try {
        await deps.db.transaction().execute((tx) => append(tx, [d]));
        recorded.push(d);
      } catch (inner) {
        if (!(inner instanceof ConcurrencyError)) throw inner;
        deps.logger.warn(
          { deliveryId: d.delivery.id },
          "attempt already recorded by another notifier",
        );
      }
    }
    return recorded;
  }
}

async function append(tx: Transaction<Database>, done: readonly Done[]): Promise<void> {
  await appendEvents(
    tx,
    done.map((d) => ({
      streamId: streamId.delivery(d.delivery.id),
      expectedVersion: d.delivery.version,
      events: d.outcome.events.map((event) => ({ event, metadata: metadataOf(d) })),
    })),
  );
  await clearSchedules(
    tx,
    done.map((d) => d.delivery.id),
  );
  await scheduleAttempts(
    tx,
    done.flatMap((d) =>
      d.outcome.retryAt
        ? [
            {
              deliveryId: d.delivery.id,
              subscriptionId: d.delivery.subscriptionId,
              webhookId: d.delivery.webhookId,
              attempt: d.msg.data.attempt + 1,
              dueAt: d.outcome.retryAt,
            },
          ]
        : [],
    ),
  );
}

function metadataOf(d: Done): EventMetadata {
  const traceId = trace.getSpanContext(d.msg.context)?.traceId;
  return {
    source: "notifier",
    webhookId: d.delivery.webhookId,
    ...(d.delivery.requestId ? { requestId: d.delivery.requestId } : {}),
    ...(traceId ? { traceId } : {}),
  };
}
