import { deliveryRequest, streamId, UUID_PATTERN } from "@hookrail/contracts";
import { BrokerUnavailable, InvalidRequest, NotFound } from "@hookrail/http";
import { PublishError } from "@hookrail/messaging";
import { currentRequestId } from "@hookrail/observability";
import { Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import type { ScopeGuard } from "./auth.js";
import { recordAdminEvent } from "./record.js";
import { parseInput } from "./validate.js";

export const ListDeadLettersQuery = z
  .object({
    /** `delivery`: retries exhausted, 410, or a disabled endpoint; `pipeline`: a message the pipeline could not process. */
    kind: z.enum(["delivery", "pipeline"]).default("delivery"),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^\d{13}$/, "must be a cursor returned by a previous page")
      .optional(),
  })
  .strict();

/**
 * Dead letters, of two kinds kept apart: endpoint failures (deliveries that failed for good) and
 * pipeline failures (messages dead-lettered by a consumer). Both can be retried.
 */
export function deadLetterRoutes(deps: GatewayDeps, guard: ScopeGuard): Router {
  const router = Router();

  router.get("/api/v1/dead-letters", guard("dead-letters:read"), async (req, res) => {
    const q = parseInput(ListDeadLettersQuery, req.query, "query");
    const before = q.cursor ? new Date(Number(q.cursor)) : undefined;
    const data =
      q.kind === "delivery"
        ? await failedDeliveries(deps, q.limit, before)
        : await pipelineDeadLetters(deps, q.limit, before);
    const last = data.length === q.limit ? data[data.length - 1] : undefined;
    res.json({ data, nextCursor: last ? String(new Date(last.failedAt).getTime()) : null });
  });

  router.post("/api/v1/dead-letters/:id/retry", guard("dead-letters:write"), async (req, res) => {
    const id = String(req.params.id);
    if (!UUID_PATTERN.test(id))
      throw new NotFound(`no dead letter with id ${JSON.stringify(id.slice(0, 64))}`);
    try {
      const delivery = await deps.db
        .selectFrom("deliveries")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (delivery) return void res.status(202).json(await retryDelivery(deps, delivery));
      const dead = await deps.db
        .selectFrom("dead_letters")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (dead) return void res.status(202).json(await retryPipeline(deps, dead));
    } catch (error) {
      if (error instanceof PublishError)
        throw new BrokerUnavailable(deps.config.RETRY_AFTER_SECONDS, error);
      throw error;
    }
    throw new NotFound(`no dead letter with id ${id}`);
  });

  return router;
}

async function failedDeliveries(deps: GatewayDeps, limit: number, before?: Date) {
  let q = deps.db
    .selectFrom("deliveries")
    .selectAll()
    .where("status", "=", "failed")
    .orderBy("updated_at", "desc")
    .limit(limit);
  if (before) q = q.where("updated_at", "<", before);
  return (await q.execute()).map((d) => ({
    id: d.id,
    kind: "delivery" as const,
    webhookId: d.webhook_id,
    subscriptionId: d.subscription_id,
    attempts: d.attempts,
    lastStatusCode: d.last_status_code,
    lastError: d.last_error,
    failedAt: d.updated_at,
  }));
}

async function pipelineDeadLetters(deps: GatewayDeps, limit: number, before?: Date) {
  let q = deps.db
    .selectFrom("dead_letters")
    .selectAll()
    .where("retried_at", "is", null)
    .orderBy("created_at", "desc")
    .limit(limit);
  if (before) q = q.where("created_at", "<", before);
  return (await q.execute()).map((d) => ({
    id: d.id,
    kind: "pipeline" as const,
    stream: d.stream,
    consumer: d.consumer,
    subject: d.subject,
    streamSequence: d.stream_sequence,
    deliveryCount: d.delivery_count,
    error: d.error,
    failedAt: d.created_at,
  }));
}

type DeliveryRow = {
  id: string;
  webhook_id: string;
  subscription_id: string;
  status: string;
  attempts: number;
};

/** Reopens a failed delivery (an event), then asks the notifier's retry lane for the next attempt. */
async function retryDelivery(deps: GatewayDeps, d: DeliveryRow) {
  if (d.status !== "failed")
    throw new InvalidRequest(`delivery ${d.id} is ${d.status}, not failed`);
  const attempt = d.attempts + 1;
  await recordAdminEvent(deps.db, streamId.delivery(d.id), {
    type: "DeliveryRetryRequested",
    data: {
      deliveryId: d.id,
      webhookId: d.webhook_id,
      attempt,
      reason: "dead letter retried by an operator",
    },
  });
  const r = deliveryRequest(
    deps.topology,
    { deliveryId: d.id, webhookId: d.webhook_id, subscriptionId: d.subscription_id, attempt },
    "retry",
  );
  await deps.publisher.publish(r.subject, r.payload, {
    msgId: r.msgId,
    messageType: r.payload.kind,
    requestId: currentRequestId(),
  });
  return { id: d.id, kind: "delivery", attempt };
}

type DeadLetterRow = {
  id: string;
  subject: string;
  headers: unknown;
  payload: Buffer;
  retried_at: Date | null;
};

/** Puts the stored message back on its subject, as it was, and marks the dead letter retried. */
async function retryPipeline(deps: GatewayDeps, d: DeadLetterRow) {
  if (d.retried_at) throw new InvalidRequest(`dead letter ${d.id} was already retried`);
  const { "nats-msg-id": _msgId, ...headers } = d.headers as Record<string, string>;
  await deps.publisher.publish(d.subject, new Uint8Array(d.payload), {
    msgId: `dead-letter-retry-${d.id}`,
    messageType: headers["hookrail-message-type"] ?? "unknown",
    requestId: currentRequestId(),
    headers,
  });
  await deps.db
    .updateTable("dead_letters")
    .set({ retried_at: deps.now() })
    .where("id", "=", d.id)
    .execute();
  return { id: d.id, kind: "pipeline" };
}
