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
import { sampleEvery, sampleMemory } from "./memory.js";
import type { BenchOptions } from "./options.js";
import { drain, type PhaseTarget, runPhase } from "./phase.js";
import type {
  BacklogResult,
  CeilingResults,
  EndToEndResult,
  IngestComparison,
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
}

/** Stops (SIGSTOP) the named services while `work` runs, so it has the cores to itself. */
async function paused<T>(c: Cluster, names: string[], work: () => Promise<T>): Promise<T> {
  const pids = names.flatMap((n) => {
    const p = c.processes.get(n as never);
    return p ? [p.pid] : [];
  });
  for (const pid of pids) process.kill(pid, "SIGSTOP");
  try {
    return await work();
  } finally {
    for (const pid of pids) process.kill(pid, "SIGCONT");
  }
}

/**
 * The gateway against the bare express + publish ceiling, and against itself with telemetry off,
 * interleaved, with the processor and notifier stopped (nothing else takes the cores); then the
 * broker's and the database's ceilings. The queued webhooks are delivered afterwards.
 */
export async function ingestScenario(x: ScenarioContext) {
  const { o, cluster, log } = x;
  const t = topology(cluster.prefix);
  const stream = await ceilingStream(x.natsUrl, cluster.prefix, t.streams.webhooks.name);
  const express = await startExpressCeiling(x.natsUrl, stream.subject);
  const offPort = await freePort();
  const offOps = await freePort();
  const off = spawnService("gateway", {
    env: {
      ...cluster.env,
      PORT: String(offPort),
      METRICS_PORT: String(offOps),
      OTEL_SDK_DISABLED: "true",
    },
    opsPort: offOps,
  });
  try {
    await off.ready();
    const ledgered = (phase: string) => ({
      sent: (id: string) => x.target.ledger.sent(id, phase),
      answered: (id: string, s: number | string, d?: string) => x.target.ledger.answered(id, s, d),
    });
    const gatewayPid = cluster.processes.get("gateway")?.pid ?? -1;
    const { ingest, publishes, inserts } = await paused(
      cluster,
      ["processor", "notifier"],
      async () => {
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
              name: "gateway, telemetry off",
              port: offPort,
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
      },
    );
    const ceilings: CeilingResults = { publishes, inserts };
    const comparison: IngestComparison = { targets: ingest };
    log("delivering what the ingest comparison queued…");
    comparison.pendingAfterDrain = await drain(x.target.ledger, o.drainMs);
    return { ceilings, comparison };
  } finally {
    await off.stop();
    await express.stop();
    await stream.remove();
  }
}

/** Open-loop steps of rising arrival rate, each drained before the next. */
export async function stepsScenario(x: ScenarioContext) {
  const results = [];
  for (const rate of x.o.steps) {
    x.log(`step ${rate}/s for ${x.o.stepMs} ms`);
    results.push(
      await runPhase(x.target, {
        name: `step-${rate}`,
        load: `${rate}/s, open loop`,
        connections: x.o.maxInFlight,
        durationMs: x.o.stepMs,
        drainMs: x.o.drainMs,
        drive: (send, until) => openLoop(send, rate, x.o.maxInFlight, until),
      }),
    );
  }
  return results;
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
 * A backlog of `o.backlog` webhooks queued while the processor and notifier are stopped; then the
 * processor alone drains it (events appended per second), then the notifier delivers it.
 */
export async function backlogScenario(x: ScenarioContext): Promise<BacklogResult> {
  const { o, cluster, log } = x;
  const t = topology(cluster.prefix);
  const notifierPid = cluster.processes.get("notifier")?.pid;
  if (notifierPid) process.kill(notifierPid, "SIGSTOP");
  try {
    const fill = await paused(cluster, ["processor"], () =>
      fillBacklog(
        x.natsUrl,
        t,
        {
          sourceId: x.sourceId,
          count: o.backlog,
          window: 256,
          bodyBytes: o.bodyBytes,
          runId: x.runId,
        },
        x.target.ledger,
        log,
      ),
    );
    log(`queued ${o.backlog} webhooks at ${fill.rate.toFixed(0)}/s; the processor drains them`);
    const drained = await watchDrain(
      x.natsUrl,
      cluster.databaseUrl,
      t.consumers.processor,
      Math.max(x.o.drainMs, o.backlog * 5),
      log,
    );
    return { queued: o.backlog, fill, drain: drained, ...(await deliverAll()) };
  } finally {
    if (notifierPid) process.kill(notifierPid, "SIGCONT");
  }

  async function deliverAll() {
    if (notifierPid) process.kill(notifierPid, "SIGCONT");
    log("the notifier delivers the backlog");
    const start = performance.now();
    const before = x.target.ledger.delivered;
    const left = await drain(x.target.ledger, Math.max(x.o.drainMs, o.backlog * 5));
    const seconds = (performance.now() - start) / 1000;
    return {
      delivered: x.target.ledger.delivered - before,
      deliverySeconds: seconds,
      pendingAfterDrain: left,
    };
  }
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
