import type { AttemptResult } from "@hookrail/delivery";
import { describe, expect, it } from "vitest";
import { outcomeOf } from "./outcome.js";

const now = new Date("2026-11-29T12:00:00Z");
const ctx = (attempt: number) => ({
  deliveryId: "d",
  webhookId: "w",
  attempt,
  startedAt: now,
  schedule: [1_000, 60_000],
  now,
  random: () => 0.5,
});
const result = (statusCode: number | null, extra: Partial<AttemptResult> = {}): AttemptResult => ({
  statusCode,
  durationMs: 12.4,
  error: statusCode === null ? "connect ECONNREFUSED" : null,
  retryAfter: undefined,
  responseBody: "",
  ...extra,
});
const types = (o: ReturnType<typeof outcomeOf>) => o.events.map((e) => e.type);

describe("outcomeOf", () => {
  it("records a 2xx as attempted then succeeded", () => {
    const o = outcomeOf(ctx(1), result(204));
    expect(types(o)).toEqual(["DeliveryAttempted", "DeliverySucceeded"]);
    expect(o.events[0]?.data).toMatchObject({
      statusCode: 204,
      durationMs: 12,
      succeeded: true,
      attempt: 1,
    });
    expect(o.retryAt).toBeUndefined();
  });

  it("schedules the next attempt after a failure, per the schedule", () => {
    const o = outcomeOf(ctx(1), result(500));
    expect(types(o)).toEqual(["DeliveryAttempted", "DeliveryRetryScheduled"]);
    expect(o.events[1]?.data).toMatchObject({ nextAttempt: 2 });
    expect(o.retryAt?.getTime()).toBe(now.getTime() + 1_000);
  });

  it("treats a redirect and no response as failures to retry", () => {
    expect(types(outcomeOf(ctx(1), result(302)))).toContain("DeliveryRetryScheduled");
    expect(types(outcomeOf(ctx(2), result(null)))).toContain("DeliveryRetryScheduled");
  });

  it("gives up when the schedule is exhausted", () => {
    const o = outcomeOf(ctx(3), result(503));
    expect(types(o)).toEqual(["DeliveryAttempted", "DeliveryFailed"]);
    expect(o.events[1]?.data).toMatchObject({
      attempts: 3,
      reason: "gave up after 3 attempts: HTTP 503",
    });
  });

  it("fails at once on 410 Gone", () => {
    expect(types(outcomeOf(ctx(1), result(410)))).toEqual(["DeliveryAttempted", "DeliveryFailed"]);
  });

  it("honours Retry-After when throttled, if later than the schedule", () => {
    const o = outcomeOf(ctx(1), result(429, { retryAfter: "30" }));
    expect(o.retryAt?.getTime()).toBe(now.getTime() + 30_000);
  });
});
