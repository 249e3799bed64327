// A soak: a steady rate for a long time (default 200/s for 30 minutes), then the verify phase.
// Watch memory and the backlog in Grafana while it runs; both must stay flat.
//   k6 run -e RATE=200 -e DURATION=30m loadtests/soak.ts
import { check } from "k6";
import type { Options } from "k6/options";
import { createTarget, sendWebhook, type Target, verifyAllDelivered } from "./lib/hookrail.ts";
import { summarize } from "./lib/summary.ts";

export const options: Options = {
  scenarios: {
    soak: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 200),
      timeUnit: "1s",
      duration: __ENV.DURATION || "30m",
      preAllocatedVUs: 50,
      maxVUs: 200,
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.001"],
    "http_req_duration{name:ingest}": ["p(99)<=20"],
    checks: ["rate>0.999"],
  },
  teardownTimeout: "300s",
};

export function setup(): Target {
  return createTarget("k6-soak");
}

export default function (target: Target): void {
  check(sendWebhook(target, "soak"), { "202 accepted": (r) => r.status === 202 });
}

export function teardown(target: Target): void {
  const result = verifyAllDelivered(target, 280);
  check(result, {
    "every accepted webhook delivered": (r) => r.stored > 0 && r.delivered === r.stored,
  });
}

export function handleSummary(data: Parameters<typeof summarize>[1]) {
  return summarize("soak", data);
}
