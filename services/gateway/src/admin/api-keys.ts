import { randomBytes } from "node:crypto";
import { streamId } from "@hookrail/contracts";
import { NotFound } from "@hookrail/http";
import { Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import { hashApiKey, type ScopeGuard } from "./auth.js";
import { newId } from "./ids.js";
import { recordAdminEvent } from "./record.js";
import { SCOPES } from "./scopes.js";
import { parseInput, resourceId, text } from "./validate.js";

export const CreateApiKeyBody = z
  .object({
    name: text().trim().min(1).max(200),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
    /** When the key stops working; it never expires when omitted. */
    expiresAt: z.iso.datetime().optional(),
  })
  .strict();

/** `hr_` + 256 random bits: recognisable in a leak scan, and the whole key is shown only once. */
const makeKey = () => `hr_${randomBytes(32).toString("base64url")}`;

export function apiKeyRoutes(deps: GatewayDeps, guard: ScopeGuard): Router {
  const router = Router();
  router.post("/api/v1/api-keys", guard("api-keys:write"), async (req, res) => {
    const input = parseInput(CreateApiKeyBody, req.body, "body");
    const id = newId("key");
    const key = makeKey();
    const data = {
      apiKeyId: id,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      keyHash: hashApiKey(key),
      keyPrefix: key.slice(0, 10),
      expiresAt: input.expiresAt ?? null,
    };
    await recordAdminEvent(
      deps.db,
      streamId.apiKey(id),
      { type: "ApiKeyCreated", data },
      { create: true },
    );
    res.status(201).json({
      id,
      key,
      name: data.name,
      scopes: data.scopes,
      keyPrefix: data.keyPrefix,
      expiresAt: data.expiresAt,
    });
  });

  router.get("/api/v1/api-keys", guard("api-keys:write"), async (_req, res) => {
    const rows = await deps.db
      .selectFrom("api_keys")
      .select(["id", "name", "scopes", "key_prefix", "created_at", "expires_at", "revoked_at"])
      .orderBy("created_at")
      .execute();
    res.json({
      data: rows.map((r) => ({
        id: r.id,
        name: r.name,
        scopes: r.scopes,
        keyPrefix: r.key_prefix,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
      })),
    });
  });

  router.delete("/api/v1/api-keys/:id", guard("api-keys:write"), async (req, res) => {
    const id = resourceId(req.params.id, "API key");
    const row = await deps.db
      .selectFrom("api_keys")
      .select(["id", "revoked_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new NotFound(`no API key with id ${JSON.stringify(id.slice(0, 64))}`);
    if (!row.revoked_at)
      await recordAdminEvent(deps.db, streamId.apiKey(id), {
        type: "ApiKeyRevoked",
        data: { apiKeyId: id },
      });
    res.status(204).end();
  });
  return router;
}
