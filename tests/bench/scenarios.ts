import { topology } from "@hookrail/contracts";
import { spawnService } from "@hookrail/launcher";
import { consumerBacklogs } from "@hookrail/messaging";
import { connect } from "@nats-io/transport-node";
import type { Cluster } from "../support/cluster.js";
import { freePort } from "../support/ports.js";
import { fillBacklog, watchDrain } from "./backlog.js";
import {
  batchedInserts,
  ceilingStream,
  pipelinedPublishes,
  startExpressCeiling,
} from "./ceilings.js";
import { compareIngest } from "./ingest.js";
import { closedLoop, openLoop } from "./load.js";
import type { LogWatch } from "./logs.js";
import { sampleEvery, sampleMemory } from "./memory.js";
import type { BenchOptions } from "./options.js";
import { drain, type PhaseTarget, runPhase } from "./phase.js";
import { monotonicUs } from "./profile.js";
import type {
  BacklogResult,
  CeilingResults,
  EndToEndResult,
  IngestComparison,
  PhaseResult,
  SoakResult,
} from "./report.js";
import { githubWebhooks } from "./webhooks.js";

export interface ScenarioContext {
  o: BenchOptions;
  cluster: Cluster;
  natsUrl: string;
  target: PhaseTarget;
  sourceId: string;
  runId: string;
  log: (line: string) => void;
  /** Where every service's lines go, the extra gateways' too. */
  logs: LogWatch;
}

/** Services stopped (SIGSTOP) so that a measurement has the cores, until resumed. */
export interface Hold {
  resume(name?: string): void;
}

/** Stops the named services; `resume` (all, or one) continues them, at most once each. */
export function hold(c: Cluster, names: readonly string[]): Hold {
  const pids = new Map(
    names.flatMap((n) => {
      const p = c.processes.get(n as never);
      return p ? [[n, p.pid] as const] : [];
    }),
  );
  for (const pid of pids.values()) process.kill(pid, "SIGSTOP");
  return {
    resume(name) {
      for (const [n, pid] of [...pids]) {
        if (name !== undefined && n !== name) continue;
        process.kill(pid, "SIGCONT");
        pids.delete(n);
      }
    },
  };
}

/** Waits for every accepted webhook to be delivered, allowing 5 ms each beyond the drain time. */
export async function deliverEverything(x: ScenarioContext): Promise<number> {
  const pending = x.target.ledger.pending;
  if (pending > 0) x.log(`delivering ${pending} queued webhooks…`);
  return drain(x.target.ledger, Math.max(x.o.drainMs, pending * 5));
}

const TELEMETRY_OFF = "gateway, telemetry off";
const EVERY_TRACE = "gateway, every trace kept";

/**
 * The gateway against the bare express + publish ceiling, and against itself with telemetry off,
 * interleaved; then the broker's and the database's ceilings. The caller holds the processor and
 * notifier (nothing else takes the cores); what the gateways accepted stays queued for them.
 */
export async function ingestScenario(x: ScenarioContext) {
  const { o, cluster, log } = x;
  const t = topology(cluster.prefix);
  const stream = await ceilingStream(x.natsUrl, cluster.prefix, t.streams.webhooks.name);
  const express = await startExpressCeiling(x.natsUrl, stream.subject);
  // Two more gateways on the same database and streams: telemetry off, and every trace kept
  // (OpenTelemetry's own OTEL_TRACES_SAMPLER), to price telemetry as shipped (the default
  // sampler) and tracing everything against the same gateway without any.
  const off = await extraGateway(x, TELEMETRY_OFF, { OTEL_SDK_DISABLED: "true" });
  const everyTrace = await extraGateway(x, EVERY_TRACE, {
    OTEL_TRACES_SAMPLER: "parentbased_always_on",
  });
  try {
    const ledgered = (phase: string) => ({
      sent: (id: string) => x.target.ledger.sent(id, phase),
      answered: (id: string, s: number | string, d?: string) => x.target.ledger.answered(id, s, d),
    });
    const gatewayPid = cluster.processes.get("gateway")?.pid ?? -1;
    const { ingest, publishes, inserts } = await (async () => {
      const ingest = await compareIngest(
        [
          {
            name: "express+publish",
            port: express.port,
            path: "/ingest",
            pid: express.pid,
            next: githubWebhooks(`${x.runId}c`, "ceiling", o.bodyBytes),
          },
          {
            name: "gateway",
            port: x.target.port,
            path: x.target.path,
            pid: gatewayPid,
            next: x.target.next,
            ...ledgered("ingest"),
          },
          {
            name: EVERY_TRACE,
            port: everyTrace.port,
            path: x.target.path,
            pid: everyTrace.pid,
            next: x.target.next,
            ...ledgered("ingest-every-trace"),
          },
          {
            name: TELEMETRY_OFF,
            port: off.port,
            path: x.target.path,
            pid: off.pid,
            next: x.target.next,
            ...ledgered("ingest-telemetry-off"),
          },
        ],
        { connections: o.connections, slotMs: o.slotMs, rounds: o.rounds, log },
      );
      log("ceiling: pipelined JetStream publishes");
      const publishes = await pipelinedPublishes(x.natsUrl, stream.subject, {
        durationMs: o.slotMs,
        window: 256,
        bodyBytes: o.bodyBytes,
      });
      log("ceiling: batched 100-row Postgres inserts");
      const inserts = await batchedInserts(cluster.databaseUrl, {
        durationMs: o.slotMs,
        rowsPerBatch: 100,
        connections: 4,
        bodyBytes: o.bodyBytes,
      });
      return { ingest, publishes, inserts };
    })();
    const ceilings: CeilingResults = { publishes, inserts };
    const comparison: IngestComparison = { targets: ingest };
    return { ceilings, comparison };
  } finally {
    await off.stop();
    await everyTrace.stop();
    await express.stop();
    await stream.remove();
  }
}

/**
 * Another gateway process on the cluster's database and streams, with `env` on top; its lines
 * are watched as the cluster's are (under `name`), so that every gateway's lines cost the runner
 * the same.
 */
async function extraGateway(x: ScenarioContext, name: string, env: Record<string, string>) {
  const port = await freePort();
  const opsPort = await freePort();
  const p = spawnService("gateway", {
    env: { ...x.cluster.env, ...env, PORT: String(port), METRICS_PORT: String(opsPort) },
    opsPort,
    onLine: (line) => x.logs.line(name, line),
  });
  try {
    await p.ready();
  } catch (error) {
    await p.stop();
    throw error;
  }
  return { port, pid: p.pid, stop: () => p.stop() };
}

/** Open-loop steps of rising arrival rate, each drained before the next. */
export async function stepsScenario(x: ScenarioContext): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  for (const rate of x.o.steps) {
    x.log(`step ${rate}/s for ${x.o.stepMs} ms`);
    const memory = sampleMemory(servicesOf(x), 1000);
    const phase = await runPhase(x.target, {
      name: `step-${rate}`,
      load: `${rate}/s, open loop`,
      connections: x.o.maxInFlight,
      durationMs: x.o.stepMs,
      drainMs: x.o.drainMs,
      drive: (send, until) => openLoop(send, rate, x.o.maxInFlight, until),
    });
    const series = memory();
    phase.rssMaxMiB = Object.fromEntries(
      Object.entries(series).map(([name, m]) => [name, Math.round(m.max)]),
    );
    results.push(phase);
  }
  return results;
}

/** Each service's pid and ops port, for the memory sampler. */
function servicesOf(x: ScenarioContext) {
  const ops = x.cluster.opsPorts as Record<string, number>;
  return new Map([...x.target.services].map(([name, pid]) => [name, { pid, opsPort: ops[name] }]));
}

/** Sustained open-loop load: latencies, the consumers' backlog over time, each service's RSS. */
export async function endToEndScenario(
  x: ScenarioContext,
  name: string,
  rate: number,
  durationMs: number,
  sampleMs: number,
): Promise<EndToEndResult> {
  const t = topology(x.cluster.prefix);
  const nc = await connect({ servers: x.natsUrl });
  const consumers = [t.consumers.processor, t.consumers.notifierFirst];
  const backlog = sampleEvery(sampleMs, async () =>
    (await consumerBacklogs(nc, consumers)).reduce((n, b) => n + b.pending + b.ackPending, 0),
  );
  const ops = x.cluster.opsPorts as Record<string, number>;
  const memory = sampleMemory(
    new Map([...x.target.services].map(([name, pid]) => [name, { pid, opsPort: ops[name] }])),
    sampleMs,
  );
  let backlogSamples: number[] | undefined;
  let memorySeries: EndToEndResult["memory"] | undefined;
  // Sampling stops with the sending, not after the drain.
  const stopSampling = () => {
    backlogSamples ??= backlog();
    memorySeries ??= memory();
  };
  try {
    const phase = await runPhase(x.target, {
      name,
      load: `${rate}/s, open loop`,
      connections: x.o.maxInFlight,
      durationMs,
      drainMs: x.o.drainMs,
      drive: (send, until) => openLoop(send, rate, x.o.maxInFlight, until).finally(stopSampling),
    });
    stopSampling();
    return {
      phase,
      backlog: backlogSamples ?? [],
      backlogSampleMs: sampleMs,
      memory: memorySeries ?? {},
    };
  } finally {
    stopSampling();
    await nc.close();
  }
}

/**
 * With the processor and notifier held, tops the queue up to `o.backlog` webhooks (those the
 * ingest comparison left count); then the processor alone drains it (events appended per
 * second), then the notifier delivers it all.
 */
export async function backlogScenario(x: ScenarioContext, held: Hold): Promise<BacklogResult> {
  const { o, cluster, log } = x;
  const t = topology(cluster.prefix);
  const already = x.target.ledger.pending;
  const fill = await fillBacklog(
    x.natsUrl,
    t,
    {
      sourceId: x.sourceId,
      count: Math.max(0, o.backlog - already),
      window: 256,
      bodyBytes: o.bodyBytes,
      runId: x.runId,
    },
    x.target.ledger,
    log,
  );
  const queued = x.target.ledger.pending;
  log(
    `${queued} webhooks queued (${fill.count} published directly at ${fill.rate.toFixed(0)}/s); the processor drains them`,
  );
  held.resume("processor");
  const fromUs = monotonicUs();
  const drained = await watchDrain(
    x.natsUrl,
    cluster.databaseUrl,
    t.consumers.processor,
    Math.max(o.drainMs, queued * 5),
    log,
  );
  const window = { fromUs, toUs: monotonicUs() };
  held.resume("notifier");
  log("the notifier delivers the backlog");
  const start = performance.now();
  const before = x.target.ledger.delivered;
  const left = await drain(x.target.ledger, Math.max(o.drainMs, queued * 5));
  return {
    queued,
    fill,
    drain: drained,
    window,
    delivered: x.target.ledger.delivered - before,
    deliverySeconds: (performance.now() - start) / 1000,
    pendingAfterDrain: left,
  };
}

/** Warm-up: the closed loop, unmeasured. */
export async function warmUp(x: ScenarioContext) {
  await runPhase(x.target, {
    name: "warmup",
    load: `${x.o.connections} conns, closed loop`,
    connections: x.o.connections,
    durationMs: x.o.warmupMs,
    drainMs: x.o.drainMs,
    drive: (send, until) => closedLoop(send, x.o.connections, until).then(() => ({})),
  });
}

/** A long steady load, sampling memory every 10 s, to show whether RSS stays flat. */
export async function soakScenario(x: ScenarioContext): Promise<SoakResult> {
  const r = await endToEndScenario(x, "soak", x.o.soakRate, x.o.soakMs, 10_000);
  return { ...r, rate: x.o.soakRate, minutes: x.o.soakMs / 60_000 };
}
