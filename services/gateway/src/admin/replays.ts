import { deterministicUuid, uuidv7 } from "@hookrail/contracts";
import { NotFound } from "@hookrail/http";
import { currentRequestId, type Logger, reportError } from "@hookrail/observability";
import { Router } from "express";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import type { ScopeGuard } from "./auth.js";
import { type ReplayFilter, selectWebhooks } from "./replay-filter.js";
import { parseInput, text } from "./validate.js";

export const BulkReplayBody = z
  .object({
    sourceId: text().min(1).max(64).optional(),
    /** Replay only to this subscription (it must be active), e.g. after resuming it. */
    subscriptionId: text().min(1).max(64).optional(),
    eventType: text().min(1).max(256).optional(),
    status: z.enum(["received", "delivering", "delivered", "failed"]).optional(),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
    /** Count what would be replayed, and replay nothing. */
    dryRun: z.boolean().default(false),
    /** At most this many webhooks a second are replayed, so a replay never floods subscribers. */
    ratePerSecond: z.number().int().min(1).max(1000).default(50),
  })
  .strict();

/** A bulk replay job, as `GET /api/v1/replays/{id}` shows it. */
export interface ReplayJob {
  id: string;
  status: "running" | "completed" | "failed";
  matched: number;
  published: number;
  ratePerSecond: number;
  /** A generic reason; the real error is only in the gateway's log and error report (F-16). */
  error?: string;
}

/** What a failed job shows: where to look, never the error itself (it may name internals). */
export const failedReplayReason = (job: ReplayJob, requestId: string | undefined) =>
  `the replay failed after ${job.published} of ${job.matched} webhooks; see the gateway logs${
    requestId ? ` with request id ${requestId}` : ""
  } (replay job ${job.id})`;

/** Bulk replay by filter, with a dry-run count and a rate cap; jobs run in this gateway process. */
export function replayRoutes(deps: GatewayDeps, guard: ScopeGuard): Router {
  const router = Router();
  const jobs = new Map<string, ReplayJob>();

  router.post("/api/v1/replays", guard("events:replay"), async (req, res) => {
    const input = parseInput(BulkReplayBody, req.body, "body");
    const ids = await selectWebhooks(deps.db, input satisfies ReplayFilter);
    if (input.dryRun) return void res.json({ dryRun: true, matched: ids.length });
    const job: ReplayJob = {
      id: uuidv7(),
      status: "running",
      matched: ids.length,
      published: 0,
      ratePerSecond: input.ratePerSecond,
    };
    jobs.set(job.id, job);
    void runReplayJob(deps, job, ids, input.subscriptionId, currentRequestId(), deps.logger);
    res.status(202).json(job);
  });

  router.get("/api/v1/replays/:id", guard("events:replay"), (req, res) => {
    const job = jobs.get(String(req.params.id));
    if (!job) throw new NotFound("no replay job with that id in this gateway process");
    res.json(job);
  });

  return router;
}

/**
 * Publishes one replay request per webhook, paced to the rate cap. A failure marks the job
 * failed with a generic reason; the error is logged and reported with the request id.
 */
export async function runReplayJob(
  deps: Pick<GatewayDeps, "now" | "publisher" | "topology">,
  job: ReplayJob,
  ids: readonly string[],
  subscriptionId: string | undefined,
  requestId: string | undefined,
  logger: Logger,
): Promise<void> {
  const started = Date.now();
  try {
    for (const webhookId of ids) {
      const due = started + (job.published * 1000) / job.ratePerSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      // A replay id per (job, webhook): a redelivered request is applied once.
      const replayId = deterministicUuid(job.id, webhookId);
      const message = {
        kind: "webhook.replay-requested" as const,
        webhookId,
        replayId,
        requestedAt: deps.now().toISOString(),
        ...(subscriptionId ? { subscriptionIds: [subscriptionId] } : {}),
      };
      await deps.publisher.publish(deps.topology.subjects.webhookReplay(webhookId), message, {
        msgId: `replay-${replayId}`,
        messageType: message.kind,
        requestId,
      });
      job.published += 1;
    }
    job.status = "completed";
  } catch (error) {
    job.status = "failed";
    job.error = failedReplayReason(job, requestId);
    logger.error({ err: error, replayJob: job.id, requestId }, "bulk replay failed");
    reportError(error, { requestId, tags: { replayJob: job.id } });
  }
}
