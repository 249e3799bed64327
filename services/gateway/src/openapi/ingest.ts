import { ProviderName } from "@hookrail/contracts";
import { headers, type Json, ok, pathParameter, problems, ref } from "./schema.js";

const header = (name: string, description: string): Json => ({
  name,
  in: "header",
  required: false,
  description,
  schema: { type: "string" },
});

// Which headers a webhook needs depends on its source's provider: none is required of all.
const parameters = [
  pathParameter("sourceId", "The source's id (unknown or malformed: 404)", {
    type: "string",
    pattern: "^[A-Za-z0-9_-]{1,64}$",
  }),
  header("X-Hub-Signature-256", "github: `sha256=<hex HMAC-SHA256 of the body>`"),
  header("X-GitHub-Delivery", "github: the delivery id (deduplication key)"),
  header("X-GitHub-Event", "github: the event type"),
  header("Stripe-Signature", "stripe: `t=<unix seconds>,v1=<hex HMAC>` (tolerance 5 minutes)"),
  header("webhook-id", "standard-webhooks: the message id (deduplication key)"),
  header("webhook-timestamp", "standard-webhooks: unix seconds (tolerance 5 minutes)"),
  header("webhook-signature", "standard-webhooks: `v1,<base64 HMAC of id.timestamp.body>`"),
  header("X-Request-Id", "Kept when of sane form (`[A-Za-z0-9._:-]{1,128}`), else replaced"),
  header("traceparent", "W3C trace context: the webhook's trace continues it"),
];

/** The ingest operation; the alias adds its deprecation headers to every answer. */
function ingest(extraHeaders: string[] = []): Json {
  const withHeaders = (responses: Record<string, Json>) =>
    Object.fromEntries(
      Object.entries(responses).map(([status, r]) => [
        status,
        { ...r, headers: { ...(r.headers as Json), ...headers(...extraHeaders) } },
      ]),
    );
  return {
    tags: ["Ingest"],
    description: `Verifies the signature of the source's provider (${ProviderName.options.join(", ")}) over the raw body, byte for byte, and answers 202 only once JetStream has stored the webhook. A redelivery with the same provider delivery id answers 202 with the same id and creates nothing new. Signed, so no API key.`,
    parameters,
    requestBody: {
      required: true,
      description: "The provider's JSON payload, kept byte-exact",
      content: { "application/json": { schema: {} } },
    },
    responses: withHeaders({
      "202": ok("Accepted: durable in JetStream", ref("Accepted")),
      ...problems({
        400: "The payload is malformed, or the provider's delivery id is missing",
        401: "The signature is missing, wrong or stale (`reason` says which)",
        404: "No source with that id",
        413: true,
        415: "The body is not JSON (Content-Type must be application/json or application/*+json)",
        429: "The source's rate limit is reached: retry after Retry-After seconds",
        503: true,
      }),
    }),
  };
}

/** POST /api/v1/webhooks/{sourceId} and its deprecated unversioned alias. */
export const ingestPaths = {
  "/api/v1/webhooks/{sourceId}": {
    post: { operationId: "ingestWebhook", summary: "Ingest a webhook", ...ingest() },
  },
  "/webhooks/{sourceId}": {
    post: {
      operationId: "ingestWebhookUnversioned",
      summary: "Ingest a webhook (deprecated alias of POST /api/v1/webhooks/{sourceId})",
      deprecated: true,
      ...ingest(["Deprecation", "Link"]),
    },
  },
};
