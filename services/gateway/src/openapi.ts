import { components } from "./openapi/components.js";
import { configPaths } from "./openapi/config-paths.js";
import { eventPaths } from "./openapi/event-paths.js";
import { ingestPaths } from "./openapi/ingest.js";
import { ok } from "./openapi/schema.js";

/**
 * The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json and committed as
 * docs/api/openapi.v1.json (`pnpm openapi:write`). A change to it is checked against
 * docs/api/openapi.v1.baseline.json by `pnpm openapi:check`: docs/api-versioning.md.
 */
export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Hookrail API",
      version: "1.0.0",
      description:
        "Ingest webhooks, manage sources and subscriptions, and query each webhook's timeline. Errors are application/problem+json (RFC 9457) carrying the requestId; every answer carries X-Request-Id. Versioning and deprecation policy: docs/api-versioning.md.",
    },
    tags: [
      { name: "Ingest", description: "Signed webhooks in" },
      { name: "Sources", description: "Who may send webhooks, and how they sign" },
      { name: "Subscriptions", description: "Where webhooks are delivered" },
      { name: "Events", description: "Each webhook's timeline, from the event store" },
      { name: "Replays", description: "Delivering stored webhooks again, in bulk" },
      { name: "Dead letters", description: "What failed for good, and its retry" },
      { name: "API keys", description: "Keys to this API, each with scopes" },
      { name: "Meta", description: "This document" },
    ],
    paths: {
      ...ingestPaths,
      ...configPaths,
      ...eventPaths,
      "/api/v1/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document (no API key needed)",
          tags: ["Meta"],
          responses: { "200": ok("OpenAPI 3.1", { type: "object" }) },
        },
      },
    },
    components,
  };
}
