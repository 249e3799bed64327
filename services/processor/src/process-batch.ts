import {
  type DomainEvent,
  deliveryRequest,
  deterministicUuid,
  type EventMetadata,
  streamId,
  type Topology,
  type WebhookReceivedMessage,
  type WebhookReplayRequestedMessage,
  type WebhookStreamMessage,
} from "@hookrail/contracts";
import {
  appendEvents,
  type Database,
  existingWebhookIds,
  listActiveSubscriptions,
  listDeliveriesOfWebhooks,
  type StreamAppend,
  streamVersion,
} from "@hookrail/event-store";
import type { ConsumedMessage, Publisher } from "@hookrail/messaging";
import { type Context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import type { Kysely, Transaction } from "kysely";
import { matchSubscriptions } from "./match.js";

export interface ProcessorDeps {
  db: Kysely<Database>;
  publisher: Publisher;
  topology: Topology;
}

type Msg<T = WebhookStreamMessage> = ConsumedMessage<T>;

/** A first attempt to ask the notifier for, once the events that created it are committed. */
interface PlannedDelivery {
  deliveryId: string;
  webhookId: string;
  subscriptionId: string;
  requestId: string | undefined;
  /** Trace context of the webhook, so the request continues its trace. */
  context: Context;
}

/**
 * Stores a batch of webhook-stream messages in one transaction, then asks for their deliveries.
 * Redelivered messages change nothing: ids are deterministic, and what is stored already is
 * skipped; their pending deliveries are asked for again, since the crash may have come between
 * the commit and the publish (JetStream's msgID drops the copies that did get through).
 */
export async function processBatch(deps: ProcessorDeps, batch: readonly Msg[]): Promise<void> {
  const received = batch.filter(
    (m): m is Msg<WebhookReceivedMessage> => m.data.kind === "webhook.received",
  );
  const replays = batch.filter(
    (m): m is Msg<WebhookReplayRequestedMessage> => m.data.kind === "webhook.replay-requested",
  );
  const planned = await deps.db.transaction().execute(async (tx) => {
    const subscriptions = (await listActiveSubscriptions(tx)).map((s) => ({
      id: s.id,
      eventTypes: s.event_types,
      sourceIds: s.source_ids,
    }));
    const existing = await existingWebhookIds(
      tx,
      received.map((m) => m.data.webhookId),
    );
    const appends: StreamAppend[] = [];
    const deliveries: PlannedDelivery[] = [];
    const seen = new Set<string>();
    for (const m of received) {
      const w = m.data;
      if (existing.has(w.webhookId) || seen.has(w.webhookId)) continue;
      seen.add(w.webhookId);
      const meta = metadataOf(m, w.webhookId);
      const { body, kind: _kind, ...fields } = w;
      appends.push({
        streamId: streamId.webhook(w.webhookId),
        expectedVersion: 0,
        events: [
          {
            event: { type: "WebhookReceived", data: { ...fields, body, streamSequence: m.seq } },
            metadata: meta,
          },
        ],
      });
      for (const s of matchSubscriptions(subscriptions, w)) {
        const deliveryId = deterministicUuid(w.webhookId, s.id, "initial");
        appends.push(requestAppend(deliveryId, w.webhookId, s.id, "initial", meta));
        deliveries.push({
          deliveryId,
          webhookId: w.webhookId,
          subscriptionId: s.id,
          requestId: m.requestId,
          context: m.context,
        });
      }
    }
    deliveries.push(...(await planReplays(tx, replays, subscriptions, appends)));
    await appendEvents(tx, appends);
    return deliveries;
  });
  const redelivered = received.filter(
    (m) => !planned.some((p) => p.webhookId === m.data.webhookId),
  );
  planned.push(...(await pendingDeliveriesOf(deps.db, redelivered)));
  await requestDeliveries(deps, planned);
}

/** Replays append to the webhook's own stream and request new deliveries, once per replay id. */
async function planReplays(
  tx: Transaction<Database>,
  replays: readonly Msg<WebhookReplayRequestedMessage>[],
  subscriptions: Parameters<typeof matchSubscriptions>[0],
  appends: StreamAppend[],
): Promise<PlannedDelivery[]> {
  const planned: PlannedDelivery[] = [];
  const versions = new Map<string, number>();
  for (const m of replays) {
    const { webhookId, replayId } = m.data;
    const webhook = await tx
      .selectFrom("webhooks")
      .select(["source_id", "event_type"])
      .where("id", "=", webhookId)
      .executeTakeFirst();
    if (!webhook) throw new Error(`replay of unknown webhook ${webhookId}`);
    const only = m.data.subscriptionIds ? new Set(m.data.subscriptionIds) : undefined;
    const targets = matchSubscriptions(subscriptions, {
      sourceId: webhook.source_id,
      eventType: webhook.event_type,
    }).filter((s) => only?.has(s.id) ?? true);
    const ids = targets.map((s) => deterministicUuid(webhookId, s.id, replayId));
    const done = await tx
      .selectFrom("deliveries")
      .select("id")
      .where("id", "in", ids.length ? ids : ["00000000-0000-0000-0000-000000000000"])
      .execute();
    if (done.length > 0 || versions.has(`${webhookId}:${replayId}`)) continue;
    const stream = streamId.webhook(webhookId);
    const version = versions.get(stream) ?? (await streamVersion(tx, stream));
    versions.set(stream, version + 1).set(`${webhookId}:${replayId}`, 0);
    const meta = metadataOf(m, webhookId);
    appends.push({
      streamId: stream,
      expectedVersion: version,
      events: [{ event: { type: "WebhookReplayRequested", data: m.data }, metadata: meta }],
    });
    targets.forEach((s, i) => {
      // eslint-disable-next-line security/detect-object-injection -- numeric index from forEach over an array of the same length
      const deliveryId = ids[i] as string;
      appends.push(requestAppend(deliveryId, webhookId, s.id, "replay", meta));
      planned.push({
        deliveryId,
        webhookId,
        subscriptionId: s.id,
        requestId: m.requestId,
        context: m.context,
      });
    });
  }
  return planned;
}

function requestAppend(
  deliveryId: string,
  webhookId: string,
  subscriptionId: string,
  reason: "initial" | "replay",
  metadata: EventMetadata,
): StreamAppend {
  const event: DomainEvent = {
    type: "DeliveryRequested",
    data: { deliveryId, webhookId, subscriptionId, reason },
  };
  return {
    streamId: streamId.delivery(deliveryId),
    expectedVersion: 0,
    events: [{ event, metadata }],
  };
}

function metadataOf(m: Msg, webhookId: string): EventMetadata {
  const traceId = trace.getSpanContext(m.context)?.traceId;
  return {
    source: "processor",
    webhookId,
    ...(m.requestId ? { requestId: m.requestId } : {}),
    ...(traceId ? { traceId } : {}),
  };
}

async function pendingDeliveriesOf(
  db: Kysely<Database>,
  messages: readonly Msg<WebhookReceivedMessage>[],
): Promise<PlannedDelivery[]> {
  const rows = await listDeliveriesOfWebhooks(
    db,
    messages.map((m) => m.data.webhookId),
  );
  const byWebhook = new Map(messages.map((m) => [m.data.webhookId, m]));
  return rows
    .filter((d) => d.status === "pending" && d.attempts === 0)
    .map((d) => {
      const m = byWebhook.get(d.webhook_id);
      return {
        deliveryId: d.id,
        webhookId: d.webhook_id,
        subscriptionId: d.subscription_id,
        requestId: m?.requestId,
        context: m?.context ?? ROOT_CONTEXT,
      };
    });
}

/** Publishes first-attempt requests, pipelined; msgID makes a repeat of one a no-op. */
async function requestDeliveries(
  deps: ProcessorDeps,
  planned: readonly PlannedDelivery[],
): Promise<void> {
  await deps.publisher.publishMany(
    planned.map((p) => {
      const r = deliveryRequest(deps.topology, { ...p, attempt: 1 }, "first");
      return {
        subject: r.subject,
        payload: r.payload,
        opts: {
          msgId: r.msgId,
          messageType: r.payload.kind,
          requestId: p.requestId,
          context: p.context,
        },
      };
    }),
  );
}
