import { measureCpu } from "./cpu.js";
import type { Ledger } from "./ledger.js";
import { keepAlivePoster } from "./load.js";
import { monotonicUs } from "./profile.js";
import type { PhaseResult } from "./report.js";
import type { BenchWebhook } from "./webhooks.js";

/** Where and what a phase sends. */
export interface PhaseTarget {
  port: number;
  path: string;
  next: () => BenchWebhook;
  ledger: Ledger;
  /** The services' pids, to tell their CPU use from everything else's. */
  services: ReadonlyMap<string, number>;
}

export interface PhasePlan {
  name: string;
  load: string;
  connections: number;
  durationMs: number;
  drainMs: number;
  /** Applies the load with `send` until `until` (performance.now()). */
  drive: (send: () => Promise<void>, until: number) => Promise<{ skipped?: number }>;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends for the plan's duration over fresh keep-alive connections, then waits (up to its drain
 * time) for every accepted webhook to be delivered, printing progress to stderr each second.
 */
export async function runPhase(target: PhaseTarget, plan: PhasePlan): Promise<PhaseResult> {
  const { ledger } = target;
  const poster = keepAlivePoster(target.port, plan.connections, REQUEST_TIMEOUT_MS);
  const send = async () => {
    const webhook = target.next();
    ledger.sent(webhook.id, plan.name);
    const answer = await poster.post(target.path, webhook.headers, webhook.body);
    ledger.answered(webhook.id, answer.status, answer.detail);
  };
  const start = performance.now();
  const fromUs = monotonicUs();
  const cpuUse = measureCpu(target.services);
  let stage = "sending";
  const ticker = reportEachSecond(ledger, () => {
    const elapsed = ((performance.now() - start) / 1000).toFixed(0);
    return `${plan.name} ${stage} ${elapsed}s`;
  });
  try {
    const { skipped } = await plan.drive(send, start + plan.durationMs);
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpuUse();
    const window = { fromUs, toUs: monotonicUs() };
    poster.close();
    stage = "draining";
    const pendingAfterDrain = await drain(ledger, plan.drainMs);
    const stats = ledger.stats(plan.name);
    return {
      name: plan.name,
      load: plan.load,
      seconds,
      ingestRate: stats.accepted / seconds,
      deliveredRate:
        stats.lastDeliveryAfterMs > 0 ? stats.delivered / (stats.lastDeliveryAfterMs / 1000) : 0,
      pendingAfterDrain,
      window,
      ...(skipped === undefined ? {} : { skipped }),
      ...(cpu ? { cpu } : {}),
      ...stats,
    };
  } finally {
    clearInterval(ticker);
    poster.close();
  }
}

/** Prints the rates of the last second and the totals so far to stderr, each second. */
function reportEachSecond(ledger: Ledger, label: () => string): NodeJS.Timeout {
  let accepted = ledger.accepted;
  let delivered = ledger.delivered;
  return setInterval(() => {
    process.stderr.write(
      `[${label()}] ${ledger.accepted - accepted} 202/s, ${ledger.delivered - delivered} delivered/s;` +
        ` accepted ${ledger.accepted}, delivered ${ledger.delivered}, pending ${ledger.pending}, errors ${ledger.errors}\n`,
    );
    accepted = ledger.accepted;
    delivered = ledger.delivered;
  }, 1000);
}

/** Waits until nothing accepted is undelivered, or `timeoutMs`; returns how many still are. */
export async function drain(ledger: Ledger, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (ledger.pending > 0 && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  return ledger.pending;
}
