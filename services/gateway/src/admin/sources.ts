import { HmacOptions, ProviderName, streamId } from "@hookrail/contracts";
import { generateSigningSecret } from "@hookrail/signatures";
import { Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import type { ScopeGuard } from "./auth.js";
import { newId } from "./ids.js";
import { recordAdminEvent } from "./record.js";
import { parseInput, text } from "./validate.js";

export const CreateSourceBody = z
  .object({
    name: text().trim().min(1).max(200),
    provider: ProviderName,
    /** The provider's signing secret. Generated (and returned once) when omitted. */
    secret: text().min(8).max(512).optional(),
    /** Only for provider hmac-sha256: header names and encoding. */
    options: HmacOptions.optional(),
    /** A chosen id (e.g. `src_alertmanager`, so a sender's URL can be fixed in its config); generated when omitted. */
    id: z
      .string()
      .regex(/^src_[A-Za-z0-9_-]{1,60}$/, "must be src_ followed by 1-60 letters, digits, _ or -")
      .optional(),
  })
  .strict();

export function sourceRoutes(deps: GatewayDeps, guard: ScopeGuard): Router {
  const router = Router();
  router.post("/api/v1/sources", guard("sources:write"), async (req, res) => {
    const input = parseInput(CreateSourceBody, req.body, "body");
    const id = input.id ?? newId("src");
    const secret = input.secret ?? generateSigningSecret();
    const options = input.provider === "hmac-sha256" ? HmacOptions.parse(input.options ?? {}) : {};
    await recordAdminEvent(
      deps.db,
      streamId.source(id),
      {
        type: "SourceRegistered",
        data: {
          sourceId: id,
          name: input.name,
          provider: input.provider,
          secret: deps.secrets.seal(secret),
          options,
        },
      },
      { create: true },
    );
    res.status(201).json({
      id,
      name: input.name,
      provider: input.provider,
      secret,
      options,
      ingestUrl: `/api/v1/webhooks/${id}`,
    });
  });
  router.get("/api/v1/sources", guard("sources:read"), async (_req, res) => {
    const rows = await deps.db
      .selectFrom("sources")
      .select(["id", "name", "provider", "options", "created_at"])
      .orderBy("created_at")
      .execute();
    res.json({
      data: rows.map((r) => ({
        id: r.id,
        name: r.name,
        provider: r.provider,
        options: r.options,
        createdAt: r.created_at,
      })),
    });
  });
  return router;
}
