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
  /** When the next attempt is due, if there is one. */
  retryAt?: Date;
  /** The number of that next attempt. */
  nextAttempt?: number;
  /** Set when the endpoint asked to be disabled (410 Gone): the reason to record. */
  disableSubscription?: string;
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
  if (verdict.outcome === "disable") {
    return {
      ...failed("the endpoint answered 410 Gone"),
      disableSubscription: "the endpoint answered 410 Gone",
    };
  }
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
    nextAttempt: attempt + 1,
  };
}

/**
 * The endpoint's circuit is open: no attempt is made, and the same attempt is scheduled for when
 * the circuit lets a probe through (a little jitter spreads the waiting deliveries).
 */
export function deferredOutcome(ctx: AttemptContext, retryAt: number): Outcome {
  const at = new Date(retryAt + Math.floor((ctx.random ?? Math.random)() * 1000));
  return {
    events: [
      {
        type: "DeliveryRetryScheduled",
        data: {
          deliveryId: ctx.deliveryId,
          webhookId: ctx.webhookId,
          nextAttempt: ctx.attempt,
          nextAttemptAt: at.toISOString(),
        },
      },
    ],
    retryAt: at,
    nextAttempt: ctx.attempt,
  };
}

/**
 * The subscription is paused or disabled: nothing is sent, and the delivery is set aside as a
 * dead letter, kept and retryable (or replayable) once the subscription is active again.
 */
export function heldOutcome(ctx: AttemptContext, status: string): Outcome {
  return {
    events: [
      {
        type: "DeliveryFailed",
        data: {
          deliveryId: ctx.deliveryId,
          webhookId: ctx.webhookId,
          attempts: ctx.attempt - 1,
          reason: `subscription ${status}: not attempted`,
        },
      },
    ],
  };
}

function describe(result: AttemptResult): string {
  return result.statusCode === null ? (result.error ?? "no response") : `HTTP ${result.statusCode}`;
}
