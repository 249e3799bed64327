import { ProviderName } from "@hookrail/contracts";
import { z } from "zod";
import { CreateApiKeyBody } from "./admin/api-keys.js";
import { ListEventsQuery } from "./admin/events.js";
import { CreateSourceBody } from "./admin/sources.js";
import { CreateSubscriptionBody } from "./admin/subscriptions.js";

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });
const problem = {
  description: "problem+json (RFC 9457)",
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
};
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), problem]));
const json = (description: string, s: object = { type: "object" }) => ({
  description,
  content: { "application/json": { schema: s } },
});
const secured = [{ bearer: [] }];
const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

/** The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json. */
export function openApiDocument() {
  const ingest = {
    summary: "Ingest a webhook",
    description: `Verifies the signature of the source's provider (${ProviderName.options.join(", ")}) over the raw body and answers 202 once JetStream has stored it. A redelivery with the same provider delivery id answers 202 with the same id.`,
    parameters: [{ name: "sourceId", in: "path", required: true, schema: { type: "string" } }],
    requestBody: { required: true, content: { "application/json": { schema: {} } } },
    responses: {
      "202": json("Accepted: durable in JetStream", { $ref: "#/components/schemas/Accepted" }),
      ...errors(400, 401, 404, 413, 415, 429, 503),
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Hookrail API",
      version: "1.0.0",
      description:
        "Ingest webhooks, manage sources and subscriptions, and query each webhook's timeline.",
    },
    paths: {
      "/api/v1/webhooks/{sourceId}": { post: ingest },
      "/webhooks/{sourceId}": {
        post: {
          ...ingest,
          deprecated: true,
          summary: "Ingest a webhook (deprecated alias of /api/v1/webhooks/{sourceId})",
        },
      },
      "/api/v1/sources": {
        post: {
          summary: "Register a source",
          security: secured,
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(CreateSourceBody) } },
          },
          responses: {
            "201": json("The source, with its secret (shown once)"),
            ...errors(400, 401, 403, 415),
          },
        },
        get: {
          summary: "List sources",
          security: secured,
          responses: { "200": json("Sources"), ...errors(401, 403) },
        },
      },
      "/api/v1/subscriptions": {
        post: {
          summary: "Create a subscription",
          security: secured,
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(CreateSubscriptionBody) } },
          },
          responses: {
            "201": json("The subscription with its signing secret"),
            ...errors(400, 401, 403, 415),
          },
        },
        get: {
          summary: "List subscriptions",
          security: secured,
          responses: { "200": json("Subscriptions"), ...errors(401, 403) },
        },
      },
      "/api/v1/events": {
        get: {
          summary: "List webhooks, newest first",
          security: secured,
          parameters: Object.entries(
            (schema(ListEventsQuery) as { properties: Record<string, object> }).properties,
          ).map(([name, s]) => ({ name, in: "query", required: false, schema: s })),
          responses: {
            "200": json("A page of webhooks and the next cursor"),
            ...errors(400, 401, 403),
          },
        },
      },
      "/api/v1/events/{id}": {
        get: {
          summary: "A webhook's timeline",
          security: secured,
          parameters: [idParam],
          responses: {
            "200": json("The webhook, its deliveries and its timeline"),
            ...errors(401, 403, 404),
          },
        },
      },
      "/api/v1/events/{id}/replay": {
        post: {
          summary: "Deliver a webhook again to its matching subscriptions",
          security: secured,
          parameters: [idParam],
          responses: { "202": json("Replay requested"), ...errors(401, 403, 404, 503) },
        },
      },
      "/api/v1/api-keys": {
        post: {
          summary: "Create an API key (the key is shown once)",
          security: secured,
          requestBody: {
            required: true,
            content: { "application/json": { schema: schema(CreateApiKeyBody) } },
          },
          responses: { "201": json("The key"), ...errors(400, 401, 403, 415) },
        },
      },
      "/api/v1/openapi.json": {
        get: { summary: "This document", responses: { "200": json("OpenAPI 3.1") } },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Accepted: {
          type: "object",
          required: ["id", "requestId"],
          properties: { id: { type: "string", format: "uuid" }, requestId: { type: "string" } },
        },
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            instance: { type: "string" },
            requestId: { type: "string" },
          },
        },
      },
    },
  };
}
