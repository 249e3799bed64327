import type { DomainEvent } from "@hookrail/contracts";
import {
  type AttemptResult,
  classifyResponse,
  nextAttemptDelay,
  retryAfterDelay,
} from "@hookrail/delivery";

export interface AttemptContext {
  deliveryId: string;
  webhookId: string;
  attempt: number;
  startedAt: Date;
  /** Delays between attempts, in ms. */
  schedule: readonly number[];
  now: Date;
  random?: () => number;
}

export interface Outcome {
  events: DomainEvent[];
  /** When attempt + 1 is due, if there is one. */
  retryAt?: Date;
}

// Retry-After is honoured, within reason: a subscriber cannot park a delivery for a week.
const RETRY_AFTER_CLAMP = { min: 1_000, max: 6 * 3_600_000 };

/**
 * What an attempt's result means for the delivery, as events: it is recorded, then it either
 * succeeded, is retried later (honouring Retry-After when throttled), or failed for good
 * (410 Gone, or the schedule ran out). The delivery policy lives here and nowhere else.
 */
export function outcomeOf(ctx: AttemptContext, result: AttemptResult): Outcome {
  const { deliveryId, webhookId, attempt } = ctx;
  const verdict = classifyResponse(result.statusCode, result.error);
  const attempted: DomainEvent = {
    type: "DeliveryAttempted",
    data: {
      deliveryId,
      webhookId,
      attempt,
      startedAt: ctx.startedAt.toISOString(),
      durationMs: Math.round(result.durationMs),
      statusCode: result.statusCode,
      error: result.error,
      succeeded: verdict.outcome === "succeeded",
    },
  };
  if (verdict.outcome === "succeeded") {
    return {
      events: [
        attempted,
        {
          type: "DeliverySucceeded",
          data: { deliveryId, webhookId, attempts: attempt, deliveredAt: ctx.now.toISOString() },
        },
      ],
    };
  }
  const failed = (reason: string): Outcome => ({
    events: [
      attempted,
      { type: "DeliveryFailed", data: { deliveryId, webhookId, attempts: attempt, reason } },
    ],
  });
  if (verdict.outcome === "disable") return failed("the endpoint answered 410 Gone");
  const scheduled = nextAttemptDelay([...ctx.schedule], attempt, ctx.random);
  if (scheduled === null) return failed(`gave up after ${attempt} attempts: ${describe(result)}`);
  const throttled =
    verdict.outcome === "throttle"
      ? retryAfterDelay(result.retryAfter, ctx.now, RETRY_AFTER_CLAMP)
      : undefined;
  const retryAt = new Date(ctx.now.getTime() + Math.max(scheduled, throttled ?? 0));
  return {
    events: [
      attempted,
      {
        type: "DeliveryRetryScheduled",
        data: {
          deliveryId,
          webhookId,
          nextAttempt: attempt + 1,
          nextAttemptAt: retryAt.toISOString(),
        },
      },
    ],
    retryAt,
  };
}

function describe(result: AttemptResult): string {
  return result.statusCode === null ? (result.error ?? "no response") : `HTTP ${result.statusCode}`;
}
