import type { z } from "zod";
import { CreateApiKeyBody } from "../admin/api-keys.js";
import { Overlap } from "../admin/lifecycle.js";
import { CreateSourceBody } from "../admin/sources.js";
import { CreateSubscriptionBody } from "../admin/subscriptions.js";
import { adminOperation, fromZod, headers, jsonBody, ok, pathParameter, ref } from "./schema.js";

const sourceId = pathParameter("id", "The source's id (`src_…`)", { type: "string" });
const subscriptionId = pathParameter("id", "The subscription's id (`sub_…`)", { type: "string" });
const apiKeyId = pathParameter("id", "The API key's id (`key_…`)", { type: "string" });
const overlap = {
  overlapSeconds: "How long the previous secret stays valid (default a day)",
  secret: "The new secret; generated when omitted",
};
const rotateBody = (schema: z.ZodType, notes: Record<string, string>) =>
  jsonBody(fromZod(schema, notes), false);

const subscriptionState = (action: "pause" | "resume") =>
  adminOperation("post", {
    operationId: `${action}Subscription`,
    summary: action === "pause" ? "Pause a subscription's deliveries" : "Resume a subscription",
    tag: "Subscriptions",
    scope: "subscriptions:write",
    parameters: [subscriptionId],
    responses: { "200": ok("The subscription's new status", ref("SubscriptionState")) },
    errors: { 404: "No subscription with that id" },
  });

/** Sources, subscriptions and API keys: what configures the pipeline and who may use it. */
export const configPaths = {
  "/api/v1/sources": {
    post: adminOperation("post", {
      operationId: "createSource",
      summary: "Register a source",
      tag: "Sources",
      scope: "sources:write",
      requestBody: jsonBody(
        fromZod(CreateSourceBody, {
          secret: "The provider's signing secret; generated (and returned once) when omitted",
          options: "Only for provider hmac-sha256: header names and encoding",
          id: "A chosen id, so a sender's URL can be fixed in its config; generated when omitted",
        }),
      ),
      responses: { "201": ok("The source, with its secret (shown once)", ref("CreatedSource")) },
      errors: { 409: "A source with the chosen id exists already" },
    }),
    get: adminOperation("get", {
      operationId: "listSources",
      summary: "List sources",
      tag: "Sources",
      scope: "sources:read",
      responses: { "200": ok("Every source, oldest first (no secrets)", ref("SourceList")) },
    }),
  },
  "/api/v1/sources/{id}/rotate-secret": {
    post: adminOperation("post", {
      operationId: "rotateSourceSecret",
      summary: "Rotate a source's signing secret",
      description: "The previous secret keeps verifying webhooks for `overlapSeconds`.",
      tag: "Sources",
      scope: "sources:write",
      parameters: [sourceId],
      requestBody: rotateBody(Overlap, overlap),
      responses: { "200": ok("The new secret (shown once)", ref("SecretRotated")) },
      errors: { 404: "No source with that id" },
    }),
  },
  "/api/v1/subscriptions": {
    post: adminOperation("post", {
      operationId: "createSubscription",
      summary: "Create a subscription",
      description:
        "Deliveries are signed per the Standard Webhooks specification with the returned secret.",
      tag: "Subscriptions",
      scope: "subscriptions:write",
      requestBody: jsonBody(
        fromZod(CreateSubscriptionBody, {
          url: "An http(s) URL without credentials, on an address deliveries may reach (DELIVERY_ALLOWED_CIDRS)",
          eventTypes: 'Event types to deliver; "*" matches all',
          sourceIds: "Only webhooks from these sources; all sources when omitted",
        }),
      ),
      responses: {
        "201": ok(
          "The subscription, with its signing secret (shown once)",
          ref("CreatedSubscription"),
        ),
      },
    }),
    get: adminOperation("get", {
      operationId: "listSubscriptions",
      summary: "List subscriptions",
      tag: "Subscriptions",
      scope: "subscriptions:read",
      responses: {
        "200": ok("Every subscription, oldest first (no secrets)", ref("SubscriptionList")),
      },
    }),
  },
  "/api/v1/subscriptions/{id}/pause": { post: subscriptionState("pause") },
  "/api/v1/subscriptions/{id}/resume": { post: subscriptionState("resume") },
  "/api/v1/subscriptions/{id}/rotate-secret": {
    post: adminOperation("post", {
      operationId: "rotateSubscriptionSecret",
      summary: "Rotate a subscription's signing secret",
      description:
        "The new secret is always generated. Deliveries carry a signature with each secret until `overlapSeconds` have passed.",
      tag: "Subscriptions",
      scope: "subscriptions:write",
      parameters: [subscriptionId],
      requestBody: rotateBody(Overlap.omit({ secret: true }), {
        overlapSeconds: overlap.overlapSeconds,
      }),
      responses: { "200": ok("The new secret (shown once)", ref("SecretRotated")) },
      errors: { 404: "No subscription with that id" },
    }),
  },
  "/api/v1/api-keys": {
    post: adminOperation("post", {
      operationId: "createApiKey",
      summary: "Create an API key (the key is shown once, and stored hashed)",
      tag: "API keys",
      scope: "api-keys:write",
      requestBody: jsonBody(
        fromZod(CreateApiKeyBody, {
          expiresAt: "When the key stops working; it never expires when omitted",
        }),
      ),
      responses: { "201": ok("The key", ref("CreatedApiKey")) },
    }),
    get: adminOperation("get", {
      operationId: "listApiKeys",
      summary: "List API keys (never the keys themselves)",
      tag: "API keys",
      scope: "api-keys:write",
      responses: { "200": ok("Every API key, oldest first", ref("ApiKeyList")) },
    }),
  },
  "/api/v1/api-keys/{id}": {
    delete: adminOperation("delete", {
      operationId: "revokeApiKey",
      summary: "Revoke an API key",
      tag: "API keys",
      scope: "api-keys:write",
      parameters: [apiKeyId],
      responses: {
        "204": { description: "Revoked (again, for a revoked key)", headers: headers() },
      },
      errors: { 404: "No API key with that id" },
    }),
  },
};
