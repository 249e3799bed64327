import { type DeliveryRequestedMessage, type EventMetadata, streamId } from "@hookrail/contracts";
import {
  appendEvents,
  ConcurrencyError,
  clearSchedules,
  type Database,
  type StreamAppend,
  scheduleAttempts,
  streamVersion,
} from "@hookrail/event-store";
import type { ConsumedMessage } from "@hookrail/messaging";
import { deliveryAttempts, deliveryLatency, type Logger } from "@hookrail/observability";
import { trace } from "@opentelemetry/api";
import type { Kysely, Transaction } from "kysely";
import type { DeliveryToAttempt } from "./load-deliveries.js";
import type { Outcome } from "./outcome.js";

/** One handled delivery request and what came of it. */
export interface Done {
  msg: ConsumedMessage<DeliveryRequestedMessage>;
  delivery: DeliveryToAttempt;
  outcome: Outcome;
}

/** One transaction for the batch; if another notifier recorded one of them first, record the rest one by one. */
export async function recordOutcomes(
  deps: { db: Kysely<Database>; logger: Logger; now: () => Date },
  done: readonly Done[],
): Promise<void> {
  if (done.length === 0) return;
  const recorded = await record(deps, done);
  const now = deps.now().getTime();
  for (const d of recorded) {
    if (d.outcome.events[0]?.type !== "DeliveryAttempted") continue; // deferred or held: no attempt made
    const last = d.outcome.events[d.outcome.events.length - 1]?.type;
    const outcome =
      last === "DeliverySucceeded"
        ? "succeeded"
        : last === "DeliveryFailed"
          ? "failed"
          : "retry_scheduled";
    deliveryAttempts().add(1, { outcome, attempt: String(d.msg.data.attempt) });
    if (outcome === "succeeded")
      deliveryLatency().record((now - d.delivery.receivedAt.getTime()) / 1000);
  }
}

async function record(
  deps: { db: Kysely<Database>; logger: Logger },
  done: readonly Done[],
): Promise<readonly Done[]> {
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
  const appends: StreamAppend[] = done.map((d) => ({
    streamId: streamId.delivery(d.delivery.id),
    expectedVersion: d.delivery.version,
    events: d.outcome.events.map((event) => ({ event, metadata: metadataOf(d) })),
  }));
  appends.push(...(await disables(tx, done)));
  await appendEvents(tx, appends);
  await clearSchedules(
    tx,
    done.map((d) => d.delivery.id),
  );
  await scheduleAttempts(
    tx,
    done.flatMap((d) =>
      d.outcome.retryAt && d.outcome.nextAttempt
        ? [
            {
              deliveryId: d.delivery.id,
              subscriptionId: d.delivery.subscriptionId,
              webhookId: d.delivery.webhookId,
              attempt: d.outcome.nextAttempt,
              dueAt: d.outcome.retryAt,
            },
          ]
        : [],
    ),
  );
}

/** A 410 disables its subscription (once, even if several deliveries saw it). */
async function disables(tx: Transaction<Database>, done: readonly Done[]): Promise<StreamAppend[]> {
  const reasons = new Map<string, { reason: string; d: Done }>();
  for (const d of done) {
    if (d.outcome.disableSubscription && d.delivery.subscriptionStatus === "active") {
      reasons.set(d.delivery.subscriptionId, { reason: d.outcome.disableSubscription, d });
    }
  }
  const appends: StreamAppend[] = [];
  for (const [subscriptionId, { reason, d }] of reasons) {
    const stream = streamId.subscription(subscriptionId);
    appends.push({
      streamId: stream,
      expectedVersion: await streamVersion(tx, stream),
      events: [
        {
          event: { type: "SubscriptionDisabled", data: { subscriptionId, reason } },
          metadata: metadataOf(d),
        },
      ],
    });
  }
  return appends;
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
