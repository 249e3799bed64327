import { SCOPES } from "../admin/scopes.js";
import { type Json, ref } from "./schema.js";

// The shapes of the answers, written from the routes (admin/*.ts, ingest/*.ts). Requests are
// derived from the zod schemas instead; answers have none, so the contract test checks these.

const string = { type: "string" };
const integer = { type: "integer" };
const dateTime = { type: "string", format: "date-time" };
const uuid = { type: "string", format: "uuid" };
const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: "null" }] });
const strings = { type: "array", items: string };

/** An object whose listed properties are all present (a null where a value is missing). */
const object = (properties: Record<string, Json>, optional: string[] = []): Json => ({
  type: "object",
  required: Object.keys(properties).filter((p) => !optional.includes(p)),
  properties,
});
const page = (item: Json): Json =>
  object({
    data: { type: "array", items: item },
    nextCursor: {
      ...nullable(string),
      description: "Pass as `cursor` for the next page; null on the last",
    },
  });
const list = (item: Json): Json => object({ data: { type: "array", items: item } });

const webhookStatus = { type: "string", enum: ["received", "delivering", "delivered", "failed"] };
const deliveryStatus = { type: "string", enum: ["pending", "scheduled", "succeeded", "failed"] };
const subscriptionStatus = { type: "string", enum: ["active", "paused", "disabled"] };
const secretRotated = object({
  id: string,
  secret: { ...string, description: "The new secret, shown once" },
  previousSecretExpiresAt: { ...dateTime, description: "Until then the previous secret works too" },
});

const schemas: Record<string, Json> = {
  Problem: {
    type: "object",
    description: "An RFC 9457 problem document",
    required: ["type", "title", "status", "detail"],
    properties: {
      type: { ...string, description: "urn:hookrail:problem:<code>" },
      title: string,
      status: integer,
      detail: string,
      instance: { ...string, description: "The request's path" },
      requestId: string,
      issues: {
        description: "400 only: each invalid field",
        type: "array",
        items: object({ path: string, message: string }),
      },
      reason: { ...string, description: "401 on ingest only: why the signature was refused" },
    },
  },
  Accepted: object({ id: { ...uuid, description: "The webhook's id" }, requestId: string }),
  Source: object({
    id: string,
    name: string,
    provider: string,
    options: { type: "object" },
    createdAt: dateTime,
  }),
  CreatedSource: object({
    id: string,
    name: string,
    provider: string,
    secret: { ...string, description: "The signing secret, shown once" },
    options: { type: "object" },
    ingestUrl: { ...string, description: "The path to send this source's webhooks to" },
  }),
  SecretRotated: secretRotated,
  Subscription: object({
    id: string,
    url: string,
    eventTypes: strings,
    sourceIds: nullable(strings),
    status: subscriptionStatus,
    createdAt: dateTime,
  }),
  CreatedSubscription: object({
    id: string,
    url: string,
    eventTypes: strings,
    sourceIds: nullable(strings),
    secret: { ...string, description: "The Standard Webhooks signing secret, shown once" },
    status: { type: "string", enum: ["active"] },
  }),
  SubscriptionState: object({ id: string, status: { type: "string", enum: ["active", "paused"] } }),
  WebhookSummary: object({
    id: uuid,
    sourceId: string,
    eventType: string,
    status: webhookStatus,
    receivedAt: dateTime,
    requestId: nullable(string),
    deliveries: object({ total: integer, succeeded: integer, failed: integer }),
  }),
  WebhookPage: page(ref("WebhookSummary")),
  Webhook: object({
    id: uuid,
    sourceId: string,
    providerDeliveryId: string,
    eventType: string,
    status: webhookStatus,
    receivedAt: dateTime,
    requestId: nullable(string),
    traceId: nullable(string),
    deliveries: {
      type: "array",
      items: object({
        id: uuid,
        subscriptionId: string,
        status: deliveryStatus,
        attempts: integer,
        lastStatusCode: nullable(integer),
        lastError: nullable(string),
        nextAttemptAt: nullable(dateTime),
      }),
    },
    timeline: { type: "array", items: ref("TimelineEntry") },
  }),
  TimelineEntry: object(
    {
      type: {
        type: "string",
        enum: [
          "received",
          "persisted",
          "replay_requested",
          "delivery_requested",
          "delivery_attempted",
          "delivery_retry_scheduled",
          "delivered",
          "delivery_failed",
        ],
      },
      at: dateTime,
      position: integer,
      deliveryId: uuid,
      subscriptionId: string,
      attempt: integer,
      statusCode: nullable(integer),
      durationMs: { type: "number" },
      error: nullable(string),
      nextAttemptAt: dateTime,
      reason: string,
    },
    // Which of these an entry has depends on its type.
    [
      "position",
      "deliveryId",
      "subscriptionId",
      "attempt",
      "statusCode",
      "durationMs",
      "error",
      "nextAttemptAt",
      "reason",
    ],
  ),
  ReplayRequested: object({ id: uuid, replayId: uuid, requestId: string }),
  ReplayJob: object(
    {
      id: uuid,
      status: { type: "string", enum: ["running", "completed", "failed"] },
      matched: integer,
      published: integer,
      ratePerSecond: integer,
      error: {
        ...string,
        description:
          "Why the job failed, in general terms, with the request id to look for in the gateway's logs (the error itself is only logged)",
      },
    },
    ["error"],
  ),
  ReplayDryRun: object({ dryRun: { type: "boolean", enum: [true] }, matched: integer }),
  DeadLetterPage: page({ anyOf: [ref("DeliveryDeadLetter"), ref("PipelineDeadLetter")] }),
  DeliveryDeadLetter: object({
    id: uuid,
    kind: { type: "string", enum: ["delivery"] },
    webhookId: uuid,
    subscriptionId: string,
    attempts: integer,
    lastStatusCode: nullable(integer),
    lastError: nullable(string),
    failedAt: dateTime,
  }),
  PipelineDeadLetter: object({
    id: uuid,
    kind: { type: "string", enum: ["pipeline"] },
    stream: string,
    consumer: string,
    subject: string,
    streamSequence: integer,
    deliveryCount: integer,
    error: string,
    failedAt: dateTime,
  }),
  DeadLetterRetried: object(
    {
      id: uuid,
      kind: { type: "string", enum: ["delivery", "pipeline"] },
      attempt: { ...integer, description: "delivery only: the attempt that was requested" },
    },
    ["attempt"],
  ),
  ApiKey: object({
    id: string,
    name: string,
    scopes: strings,
    keyPrefix: string,
    createdAt: dateTime,
    expiresAt: nullable(dateTime),
    revokedAt: nullable(dateTime),
  }),
  CreatedApiKey: object({
    id: string,
    key: { ...string, description: "The key itself, shown once (stored hashed)" },
    name: string,
    scopes: strings,
    keyPrefix: string,
    expiresAt: nullable(dateTime),
  }),
};
schemas.SourceList = list(ref("Source"));
schemas.SubscriptionList = list(ref("Subscription"));
schemas.ApiKeyList = list(ref("ApiKey"));

const headers: Record<string, Json> = {
  "X-Request-Id": {
    description:
      "The request's id: the caller's X-Request-Id when it is of sane form, else a new one",
    schema: string,
  },
  "Retry-After": { description: "Seconds to wait before retrying", schema: integer },
  Deprecation: {
    description: "RFC 9745: when this was deprecated, as `@<unix seconds>`",
    schema: { ...string, pattern: "^@[0-9]+$" },
  },
  Link: {
    description:
      'The successor, for a well-formed source id: `</api/v1/webhooks/{sourceId}>; rel="successor-version"`',
    schema: string,
  },
};

/** The document's `components`. */
export const components = {
  securitySchemes: {
    apiKey: {
      type: "http",
      scheme: "bearer",
      description: `An API key (\`Authorization: Bearer <key>\`), from POST /api/v1/api-keys or the ADMIN_API_KEY (every scope). Each operation lists the one scope it needs as its security requirement's role. Scopes: ${SCOPES.join(", ")}.`,
    },
  },
  headers,
  schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
};
