import { streamId } from "@hookrail/contracts";
import { checkUrl, createAddressGuard } from "@hookrail/delivery";
import { InvalidRequest } from "@hookrail/http";
import { generateSigningSecret } from "@hookrail/signatures";
import { Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import type { ScopeGuard } from "./auth.js";
import { newId } from "./ids.js";
import { recordAdminEvent } from "./record.js";
import { parseInput, text } from "./validate.js";

const EVENT_TYPE = /^(\*|[A-Za-z0-9_.:/-]{1,256})$/;

export const CreateSubscriptionBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .max(2048)
      // Total: zod runs it even when the URL check failed, and `new URL` throws then (F-05).
      .refine((u) => !hasCredentials(u), "must not carry credentials"),
    /** Event types to deliver; "*" matches all. */
    eventTypes: z.array(z.string().regex(EVENT_TYPE, "must be * or an event type")).min(1).max(100),
    /** Only webhooks from these sources; all sources when omitted. */
    sourceIds: z.array(text().min(1).max(64)).min(1).max(100).optional(),
  })
  .strict();

/** Whether a URL carries a user name or password; false for text that is not a URL. */
function hasCredentials(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && (parsed.username !== "" || parsed.password !== "");
}

export function subscriptionRoutes(deps: GatewayDeps, guard: ScopeGuard): Router {
  const router = Router();
  const addressGuard = createAddressGuard(deps.config.DELIVERY_ALLOWED_CIDRS);
  router.post("/api/v1/subscriptions", guard("subscriptions:write"), async (req, res) => {
    const input = parseInput(CreateSubscriptionBody, req.body, "body");
    // Checked here for a clear answer now; the notifier checks again, at connect time, on every delivery.
    const reachable = await checkUrl(input.url, addressGuard);
    if (!reachable.ok)
      throw new InvalidRequest(`url is not allowed: ${reachable.reason}`, [
        { path: "url", message: reachable.reason },
      ]);
    const id = newId("sub");
    const secret = generateSigningSecret();
    const data = {
      subscriptionId: id,
      url: input.url,
      eventTypes: input.eventTypes,
      sourceIds: input.sourceIds ?? null,
      secret: deps.secrets.seal(secret),
    };
    await recordAdminEvent(
      deps.db,
      streamId.subscription(id),
      {
        type: "SubscriptionCreated",
        data,
      },
      { create: true },
    );
    res.status(201).json({
      id,
      url: input.url,
      eventTypes: input.eventTypes,
      sourceIds: data.sourceIds,
      secret,
      status: "active",
    });
  });
  router.get("/api/v1/subscriptions", guard("subscriptions:read"), async (_req, res) => {
    const rows = await deps.db
      .selectFrom("subscriptions")
      .select(["id", "url", "event_types", "source_ids", "status", "created_at"])
      .orderBy("created_at")
      .execute();
    res.json({
      data: rows.map((r) => ({
        id: r.id,
        url: r.url,
        eventTypes: r.event_types,
        sourceIds: r.source_ids,
        status: r.status,
        createdAt: r.created_at,
      })),
    });
  });
  return router;
}
