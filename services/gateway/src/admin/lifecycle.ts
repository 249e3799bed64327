import { streamId } from "@hookrail/contracts";
import { NotFound } from "@hookrail/http";
import { generateSigningSecret } from "@hookrail/signatures";
import { type Request, Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import type { ScopeGuard } from "./auth.js";
import { recordAdminEvent } from "./record.js";
import { parseInput, resourceId, text } from "./validate.js";

export const Overlap = z
  .object({
    /** How long the previous secret stays valid; a day by default. */
    overlapSeconds: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
    /** The new secret; generated when omitted (sources only: subscriptions always get a generated one). */
    secret: text().min(8).max(512).optional(),
  })
  .strict();

/** Pause, resume and secret rotation of subscriptions; secret rotation of sources. */
export function lifecycleRoutes(deps: GatewayDeps, guard: ScopeGuard): Router {
  const router = Router();
  const subscription = async (req: Request) => {
    const id = resourceId(req.params.id, "subscription");
    const row = await deps.db
      .selectFrom("subscriptions")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new NotFound(`no subscription with id ${JSON.stringify(id.slice(0, 64))}`);
    return row;
  };

  const transitions = [
    { action: "pause", type: "SubscriptionPaused", status: "paused" },
    { action: "resume", type: "SubscriptionResumed", status: "active" },
  ] as const;
  for (const { action, type, status } of transitions) {
    router.post(
      `/api/v1/subscriptions/:id/${action}`,
      guard("subscriptions:write"),
      async (req, res) => {
        const row = await subscription(req);
        await recordAdminEvent(deps.db, streamId.subscription(row.id), {
          type,
          data: { subscriptionId: row.id },
        });
        res.json({ id: row.id, status });
      },
    );
  }

  router.post(
    "/api/v1/subscriptions/:id/rotate-secret",
    guard("subscriptions:write"),
    async (req, res) => {
      const { overlapSeconds } = parseInput(Overlap.omit({ secret: true }), req.body, "body");
      const row = await subscription(req);
      const secret = generateSigningSecret();
      const previousSecretExpiresAt = new Date(
        deps.now().getTime() + overlapSeconds * 1000,
      ).toISOString();
      await recordAdminEvent(deps.db, streamId.subscription(row.id), {
        type: "SubscriptionSecretRotated",
        data: {
          subscriptionId: row.id,
          secret: deps.secrets.seal(secret),
          previousSecret: row.secret,
          previousSecretExpiresAt,
        },
      });
      res.json({ id: row.id, secret, previousSecretExpiresAt });
    },
  );

  router.post("/api/v1/sources/:id/rotate-secret", guard("sources:write"), async (req, res) => {
    const input = parseInput(Overlap, req.body, "body");
    const id = resourceId(req.params.id, "source");
    const row = await deps.db
      .selectFrom("sources")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new NotFound(`no source with id ${JSON.stringify(id.slice(0, 64))}`);
    const secret = input.secret ?? generateSigningSecret();
    const previousSecretExpiresAt = new Date(
      deps.now().getTime() + input.overlapSeconds * 1000,
    ).toISOString();
    await recordAdminEvent(deps.db, streamId.source(row.id), {
      type: "SourceSecretRotated",
      data: {
        sourceId: row.id,
        secret: deps.secrets.seal(secret),
        previousSecret: row.secret,
        previousSecretExpiresAt,
      },
    });
    res.json({ id: row.id, secret, previousSecretExpiresAt });
  });

  return router;
}
