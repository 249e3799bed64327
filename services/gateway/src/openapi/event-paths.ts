import { ListDeadLettersQuery } from "../admin/dead-letters.js";
import { ListEventsQuery } from "../admin/events.js";
import { BulkReplayBody } from "../admin/replays.js";
import {
  adminOperation,
  fromZod,
  jsonBody,
  ok,
  pathParameter,
  queryParameters,
  ref,
} from "./schema.js";

const uuid = { type: "string", format: "uuid" };
const webhookId = pathParameter("id", "The webhook's id (as the ingest answer gave it)", uuid);
const strictQuery = "Unknown query parameters are refused (400).";

/** Webhooks (events), their replay, and dead letters: what flowed through the pipeline. */
export const eventPaths = {
  "/api/v1/events": {
    get: adminOperation("get", {
      operationId: "listEvents",
      summary: "List webhooks, newest first",
      description: `Cursor pagination: pass the previous page's \`nextCursor\` as \`cursor\`. ${strictQuery}`,
      tag: "Events",
      scope: "events:read",
      parameters: queryParameters(ListEventsQuery, {
        cursor: "The `nextCursor` of the previous page",
        limit: "Page size",
      }),
      responses: { "200": ok("A page of webhooks and the next cursor", ref("WebhookPage")) },
      errors: { 400: true },
    }),
  },
  "/api/v1/events/{id}": {
    get: adminOperation("get", {
      operationId: "getEvent",
      summary: "A webhook's timeline",
      description:
        "From the event store: received, persisted, and each delivery request, attempt (status code, duration, error) and outcome, with the webhook's requestId and traceId.",
      tag: "Events",
      scope: "events:read",
      parameters: [webhookId],
      responses: { "200": ok("The webhook, its deliveries and its timeline", ref("Webhook")) },
      errors: { 404: "No webhook with that id" },
    }),
  },
  "/api/v1/events/{id}/replay": {
    post: adminOperation("post", {
      operationId: "replayEvent",
      summary: "Deliver a webhook again to its matching subscriptions",
      tag: "Events",
      scope: "events:replay",
      parameters: [webhookId],
      responses: { "202": ok("Replay requested", ref("ReplayRequested")) },
      errors: { 404: "No webhook with that id", 503: true },
    }),
  },
  "/api/v1/replays": {
    post: adminOperation("post", {
      operationId: "startBulkReplay",
      summary: "Replay the webhooks a filter selects, at a capped rate",
      description:
        "The job runs in this gateway process; follow it with GET /api/v1/replays/{id}. With `dryRun`, only counts.",
      tag: "Replays",
      scope: "events:replay",
      requestBody: jsonBody(
        fromZod(BulkReplayBody, {
          subscriptionId: "Replay only to this subscription (it must be active)",
          from: "Received at or after",
          to: "Received before",
          dryRun: "Count what would be replayed, and replay nothing",
          ratePerSecond: "At most this many webhooks a second",
        }),
      ),
      responses: {
        "200": ok("Dry run: how many webhooks the filter selects", ref("ReplayDryRun")),
        "202": ok("The replay job, started", ref("ReplayJob")),
      },
      errors: { 404: "No subscription with the given subscriptionId" },
    }),
  },
  "/api/v1/replays/{id}": {
    get: adminOperation("get", {
      operationId: "getBulkReplay",
      summary: "A bulk replay job's progress",
      tag: "Replays",
      scope: "events:replay",
      parameters: [pathParameter("id", "The job's id", uuid)],
      responses: { "200": ok("The job", ref("ReplayJob")) },
      errors: { 404: "No replay job with that id in this gateway process" },
    }),
  },
  "/api/v1/dead-letters": {
    get: adminOperation("get", {
      operationId: "listDeadLetters",
      summary: "List dead letters, newest first",
      description: `\`delivery\`: deliveries that failed for good (retries exhausted, 410, or a disabled endpoint); \`pipeline\`: messages a consumer could not process. ${strictQuery}`,
      tag: "Dead letters",
      scope: "dead-letters:read",
      parameters: queryParameters(ListDeadLettersQuery, {
        cursor: "The `nextCursor` of the previous page",
        limit: "Page size",
      }),
      responses: { "200": ok("A page of dead letters and the next cursor", ref("DeadLetterPage")) },
      errors: { 400: true },
    }),
  },
  "/api/v1/dead-letters/{id}/retry": {
    post: adminOperation("post", {
      operationId: "retryDeadLetter",
      summary: "Retry a dead letter",
      description:
        "A failed delivery is reopened and attempted again; a pipeline dead letter is published again as it was.",
      tag: "Dead letters",
      scope: "dead-letters:write",
      parameters: [pathParameter("id", "The dead letter's id", uuid)],
      responses: { "202": ok("Retry requested", ref("DeadLetterRetried")) },
      errors: {
        400: "The delivery is not failed, or the dead letter was already retried",
        404: "No dead letter with that id",
        503: true,
      },
    }),
  },
};
