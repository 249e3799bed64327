// Ingest at constant arrival rates, stepping 100 → 500 → 1000 → 2000 requests/s, with correctly
// signed webhooks and a traceparent on each; then verify every accepted webhook was delivered.
//   k6 run loadtests/ingest.ts   (HOOKRAIL_URL, ADMIN_API_KEY, SUBSCRIBER_URL, STEP_SECONDS)
import { check } from "k6";
import type { Options } from "k6/options";
import { createTarget, sendWebhook, type Target, verifyAllDelivered } from "./lib/hookrail.ts";
import { summarize } from "./lib/summary.ts";

const step = Number(__ENV.STEP_SECONDS || 30);
const rates = [100, 500, 1000, 2000];

export const options: Options = {
  scenarios: {
    ingest: {
      executor: "ramping-arrival-rate",
      startRate: rates[0],
      timeUnit: "1s",
      preAllocatedVUs: 100,
      maxVUs: 400,
      stages: rates.flatMap((rate) => [
        { target: rate, duration: "5s" },
        { target: rate, duration: `${step}s` },
      ]),
    },
  },
  // The targets of docs/performance.md (issue 7): 202 p99 ≤ 20 ms, nothing fails.
  thresholds: {
    http_req_failed: ["rate<0.001"],
    // docs/performance.md: the gateway's 202 p99 ≤ 20 ms.
    "http_req_duration{name:ingest}": ["p(99)<=20"],
    checks: ["rate>0.999"],
  },
  teardownTimeout: "180s",
};

export function setup(): Target {
  return createTarget("k6-ingest");
}

export default function (target: Target): void {
  const res = sendWebhook(target, "ingest");
  check(res, { "202 accepted": (r) => r.status === 202 });
}

export function teardown(target: Target): void {
  const { stored, delivered } = verifyAllDelivered(target, 150);
  check(
    { stored, delivered },
    { "every accepted webhook delivered": (r) => r.stored > 0 && r.delivered === r.stored },
  );
}

export function handleSummary(data: Parameters<typeof summarize>[1]) {
  return summarize("ingest", data);
}
