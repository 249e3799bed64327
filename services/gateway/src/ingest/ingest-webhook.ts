import { deterministicUuid, webhookHeaders } from "@hookrail/contracts";
import {
  BrokerUnavailable,
  InvalidRequest,
  InvalidSignature,
  NotFound,
  RateLimited,
} from "@hookrail/http";
import { PublishError } from "@hookrail/messaging";
import { currentRequestId } from "@hookrail/observability";
import { verifyWebhook } from "@hookrail/signatures";
import type { Request } from "express";
import type { GatewayDeps } from "../deps.js";
import type { IngestSource, SourceCache } from "./source-cache.js";

const SOURCE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `id` has the form of a source id (a label, a URL segment and a subject token as it is). */
export const isSourceId = (id: string): boolean => SOURCE_ID.test(id);

export interface Accepted {
  id: string;
  requestId: string | undefined;
  duplicate: boolean;
}

/**
 * Verifies a webhook against its source and hands it to JetStream. Resolves only once the
 * broker has stored it (the 202 promise); every failure is a domain error for the one mapping.
 */
export async function ingestWebhook(
  deps: GatewayDeps,
  sources: SourceCache,
  req: Request,
): Promise<Accepted> {
  const sourceId = String(req.params.sourceId);
  const source = isSourceId(sourceId) ? await sources.get(sourceId) : undefined;
  if (!source) throw new NotFound(`no source with id ${JSON.stringify(sourceId.slice(0, 64))}`);
  // Before the signature check: the limit also bounds the CPU a flood of bad signatures costs.
  const rate = await deps.rateLimiter.take(
    `source:${source.id}`,
    deps.config.RATE_LIMIT_SOURCE_PER_SECOND,
  );
  if (!rate.allowed) throw new RateLimited(rate.retryAfterSeconds);
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const verify = (s: IngestSource) =>
    verifyWebhook({
      provider: s.provider,
      headers: req.headers,
      body,
      secrets: s.secrets,
      now: deps.now(),
      options: s.options,
    });
  let verified = verify(source);
  if (!verified.ok && verified.error.code === "bad_signature") {
    // The secret may have been rotated since it was cached: check once against the store.
    const fresh = await sources.get(source.id, { fresh: true });
    if (fresh) verified = verify(fresh);
  }
  if (!verified.ok) {
    const { code, message } = verified.error;
    if (code === "missing_delivery_id" || code === "malformed_payload")
      throw new InvalidRequest(message);
    throw new InvalidSignature(message, code);
  }
  // JSON never holds a raw NUL, and the event store (jsonb) cannot: refuse it before the 202
  // rather than accept a webhook the processor could only dead-letter.
  if (body.includes(0)) throw new InvalidRequest("the body contains a NUL byte: it is not JSON");
  const webhookId = deterministicUuid(source.id, verified.deliveryId);
  const requestId = currentRequestId();
  try {
    const ack = await deps.publisher.publish(
      deps.topology.subjects.webhookReceived(source.id),
      body,
      {
        msgId: webhookId,
        messageType: "webhook.received",
        requestId,
        headers: webhookHeaders({
          webhookId,
          sourceId: source.id,
          provider: source.provider,
          providerDeliveryId: verified.deliveryId,
          eventType: verified.eventType,
          receivedAt: deps.now().toISOString(),
          contentType: req.get("content-type") ?? "application/json",
        }),
      },
    );
    return { id: webhookId, requestId, duplicate: ack.duplicate };
  } catch (error) {
    if (error instanceof PublishError) {
      throw new BrokerUnavailable(deps.config.RETRY_AFTER_SECONDS, error);
    }
    throw error;
  }
}
