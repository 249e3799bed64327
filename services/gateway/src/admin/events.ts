import { UUID_PATTERN, uuidv7 } from "@hookrail/contracts";
import {
  findWebhook,
  listDeliveriesOfWebhooks,
  listWebhooks,
  readWebhookTimeline,
} from "@hookrail/event-store";
import { BrokerUnavailable, NotFound } from "@hookrail/http";
import { PublishError } from "@hookrail/messaging";
import { currentRequestId } from "@hookrail/observability";
import { type Request, Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import type { ScopeGuard } from "./auth.js";
import { buildTimeline } from "./timeline.js";
import { parseInput, text } from "./validate.js";

export const ListEventsQuery = z
  .object({
    sourceId: text().min(1).max(64).optional(),
    status: z.enum(["received", "delivering", "delivered", "failed"]).optional(),
    cursor: z
      .string()
      .regex(/^[0-9]{1,16}$/, "must be a cursor returned by a previous page")
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

function webhookId(req: Request): string {
  const id = String(req.params.id);
  if (!UUID_PATTERN.test(id))
    throw new NotFound(`no event with id ${JSON.stringify(id.slice(0, 64))}`);
  return id;
}

export function eventRoutes(deps: GatewayDeps, guard: ScopeGuard): Router {
  const router = Router();

  router.get("/api/v1/events/:id", guard("events:read"), async (req, res) => {
    const id = webhookId(req);
    const webhook = await findWebhook(deps.db, id);
    if (!webhook) throw new NotFound(`no event with id ${id}`);
    const [events, deliveries] = await Promise.all([
      readWebhookTimeline(deps.db, id),
      listDeliveriesOfWebhooks(deps.db, [id]),
    ]);
    res.json({
      id: webhook.id,
      sourceId: webhook.source_id,
      providerDeliveryId: webhook.provider_delivery_id,
      eventType: webhook.event_type,
      status: webhook.status,
      receivedAt: webhook.received_at,
      requestId: webhook.request_id,
      traceId: webhook.trace_id,
      deliveries: deliveries.map((d) => ({
        id: d.id,
        subscriptionId: d.subscription_id,
        status: d.status,
        attempts: d.attempts,
        lastStatusCode: d.last_status_code,
        lastError: d.last_error,
        nextAttemptAt: d.next_attempt_at,
      })),
      timeline: buildTimeline(events),
    });
  });

  router.get("/api/v1/events", guard("events:read"), async (req, res) => {
    const q = parseInput(ListEventsQuery, req.query, "query");
    const rows = await listWebhooks(deps.db, {
      sourceId: q.sourceId,
      status: q.status,
      afterPosition: q.cursor === undefined ? undefined : Number(q.cursor),
      limit: q.limit,
    });
    const last = rows.length === q.limit ? rows[rows.length - 1] : undefined;
    res.json({
      data: rows.map((w) => ({
        id: w.id,
        sourceId: w.source_id,
        eventType: w.event_type,
        status: w.status,
        receivedAt: w.received_at,
        requestId: w.request_id,
        deliveries: {
          total: w.deliveries_total,
          succeeded: w.deliveries_succeeded,
          failed: w.deliveries_failed,
        },
      })),
      nextCursor: last ? String(last.position) : null,
    });
  });

  router.post("/api/v1/events/:id/replay", guard("events:replay"), async (req, res) => {
    const id = webhookId(req);
    if (!(await findWebhook(deps.db, id))) throw new NotFound(`no event with id ${id}`);
    const replayId = uuidv7();
    const message = {
      kind: "webhook.replay-requested" as const,
      webhookId: id,
      replayId,
      requestedAt: deps.now().toISOString(),
    };
    try {
      await deps.publisher.publish(deps.topology.subjects.webhookReplay(id), message, {
        msgId: `replay-${replayId}`,
        messageType: message.kind,
        requestId: currentRequestId(),
      });
    } catch (error) {
      if (error instanceof PublishError)
        throw new BrokerUnavailable(deps.config.RETRY_AFTER_SECONDS, error);
      throw error;
    }
    res.status(202).json({ id, replayId, requestId: currentRequestId() });
  });

  return router;
}
