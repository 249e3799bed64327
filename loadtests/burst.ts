// A queue burst: N webhooks at once, then the time until every one is delivered (the drain).
//   k6 run -e BURST=20000 loadtests/burst.ts
import { check } from "k6";
import { Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { createTarget, sendWebhook, type Target, verifyAllDelivered } from "./lib/hookrail.ts";
import { summarize } from "./lib/summary.ts";

const burst = Number(__ENV.BURST || 10000);
const drainSeconds = new Trend("burst_drain_seconds");

export const options: Options = {
  scenarios: {
    burst: { executor: "shared-iterations", vus: 100, iterations: burst, maxDuration: "5m" },
  },
  thresholds: {
    http_req_failed: ["rate<0.001"],
    checks: ["rate>0.999"],
    // The backlog drains at thousands per second: 10,000 queued webhooks delivered within a minute.
    burst_drain_seconds: ["max<60"],
  },
  teardownTimeout: "300s",
};

export function setup(): Target & { startedAt: number } {
  return { ...createTarget("k6-burst"), startedAt: Date.now() };
}

export default function (target: Target): void {
  check(sendWebhook(target, "burst"), { "202 accepted": (r) => r.status === 202 });
}

export function teardown(target: Target & { startedAt: number }): void {
  const result = verifyAllDelivered(target, 280);
  drainSeconds.add((Date.now() - target.startedAt) / 1000);
  check(result, {
    "every accepted webhook delivered": (r) => r.stored > 0 && r.delivered === r.stored,
  });
}

export function handleSummary(data: Parameters<typeof summarize>[1]) {
  return summarize("burst", data);
}
