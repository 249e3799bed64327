import { randomBytes } from "node:crypto";
import { streamId } from "@hookrail/contracts";
import { Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import { hashApiKey, type ScopeGuard } from "./auth.js";
import { newId } from "./ids.js";
import { recordAdminEvent } from "./record.js";
import { SCOPES } from "./scopes.js";
import { parseInput } from "./validate.js";

export const CreateApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
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
    };
    await recordAdminEvent(deps.db, streamId.apiKey(id), { type: "ApiKeyCreated", data });
    res
      .status(201)
      .json({ id, key, name: data.name, scopes: data.scopes, keyPrefix: data.keyPrefix });
  });
  return router;
}
