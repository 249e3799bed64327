import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { apiClient } from "../support/api.js";
import { type Cluster, NATS_URL, startCluster } from "../support/cluster.js";
import { startSubscriber } from "../support/subscriber.js";
import { renderChart } from "./chart.js";
import { cpuBusyPercent, describeEnvironment } from "./environment.js";
import { Ledger } from "./ledger.js";
import { LogWatch } from "./logs.js";
import { type BenchOptions, parseOptions, type Scenario, USAGE } from "./options.js";
import { type ProfileSummary, summariseProfile, type Window } from "./profile.js";
import {
  type BacklogResult,
  type BenchResults,
  type EndToEndResult,
  formatProfiles,
  formatResults,
  type PhaseResult,
} from "./report.js";
import {
  backlogScenario,
  deliverEverything,
  endToEndScenario,
  hold,
  ingestScenario,
  type ScenarioContext,
  soakScenario,
  stepsScenario,
  warmUp,
} from "./scenarios.js";
import { evaluateTargets } from "./targets.js";
import { githubWebhooks } from "./webhooks.js";

// `pnpm bench`: the three services as processes on this machine's NATS and Postgres (a fresh
// database and stream prefix), a local subscriber, and load on loopback, in scenarios: the
// gateway against this machine's ceilings (a bare express + publish server, pipelined publishes,
// 100-row inserts) and against itself with telemetry off, all in the same run; stepped arrival
// rates; a sustained end-to-end rate; a queued backlog drained; optionally a soak. Ratios to the
// same-run ceilings are what count on a noisy machine; absolute figures are recorded beside them.

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
let cluster: Cluster | undefined;

async function main(o: BenchOptions): Promise<number> {
  const startedAt = new Date().toISOString();
  const profileDir = o.cpuProf ? await mkdtemp(join(tmpdir(), "hookrail-prof-")) : undefined;
  const busyBefore = await cpuBusyPercent();
  if (busyBefore > 25)
    log(`the machine is busy (${busyBefore.toFixed(0)}% CPU before start): figures will be low`);
  const ledger = new Ledger();
  const logs = new LogWatch();
  const subscriber = await startSubscriber((delivery) => {
    const id = delivery.headers["x-request-id"];
    ledger.arrived(Array.isArray(id) ? id[0] : id);
    subscriber.received.length = 0; // matched already: keep the runner's memory flat
    return 204;
  });
  try {
    // Traces are exported, as in production, to a local sink that discards them.
    const sink = await startTraceSink();
    stopSink = sink.close;
    log("starting gateway, processor and notifier…");
    cluster = await startCluster({
      // All the load comes from one source: its rate limit (5,000/s by default, across the
      // gateways) is raised above what this machine can send, so that the limiter still runs on
      // every webhook but refuses none of a measurement's.
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        RATE_LIMIT_SOURCE_PER_SECOND: "20000",
        ...o.serviceEnv,
      },
      onLine: (service, line) => logs.line(service, line),
      ...(profileDir ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] } : {}),
    });
    const api = apiClient(cluster.gatewayUrl, cluster.adminKey);
    const source = await api.post<{ id: string; secret: string }>("/api/v1/sources", {
      name: "bench",
      provider: "github",
    });
    if (source.status !== 201) throw new Error(`creating the source: ${source.text}`);
    const sub = await api.post("/api/v1/subscriptions", { url: subscriber.url, eventTypes: ["*"] });
    if (sub.status !== 201) throw new Error(`creating the subscription: ${sub.text}`);
    const environment = await describeEnvironment(NATS_URL, cluster.databaseUrl, busyBefore);
    const runId = randomBytes(4).toString("hex");
    const x: ScenarioContext = {
      o,
      cluster,
      natsUrl: NATS_URL,
      sourceId: source.body.id,
      runId,
      log,
      logs,
      target: {
        port: Number(new URL(cluster.gatewayUrl).port),
        path: `/api/v1/webhooks/${source.body.id}`,
        next: githubWebhooks(runId, source.body.secret, o.bodyBytes),
        ledger,
        services: new Map([...cluster.processes].map(([name, p]) => [name, p.pid])),
      },
    };
    log(`warm-up ${o.warmupMs} ms`);
    await warmUp(x);
    const has = (s: Scenario) => o.scenarios.has(s);
    // The ingest comparison runs with the processor and notifier held; what it queues becomes
    // (part of) the backlog the processor then drains, and everything is delivered before the
    // load scenarios start.
    let ingest: Awaited<ReturnType<typeof ingestScenario>> | undefined;
    let backlog: BacklogResult | undefined;
    if (has("ingest") || has("backlog")) {
      const held = hold(cluster, ["processor", "notifier"]);
      try {
        if (has("ingest")) ingest = await ingestScenario(x);
        if (has("backlog")) backlog = await backlogScenario(x, held);
      } finally {
        held.resume();
      }
      const left = await deliverEverything(x);
      if (ingest) ingest.comparison.pendingAfterDrain = left;
    }
    const steps = has("steps") ? await stepsScenario(x) : undefined;
    let window: Window | undefined;
    let e2e: EndToEndResult | undefined;
    if (has("e2e")) {
      log(`end to end: ${o.e2eRate}/s for ${o.e2eMs} ms`);
      e2e = await endToEndScenario(x, "e2e", o.e2eRate, o.e2eMs, 1000);
      window = e2e.phase.window;
    }
    const soak = has("soak") ? await soakScenario(x) : undefined;
    await new Promise((r) => setTimeout(r, 500)); // would-be duplicates have time to arrive
    // Profiles cover the end-to-end load, or else the processor's drain of the backlog.
    window ??= backlog?.window;
    const profiles =
      profileDir && window ? await stopAndSummarise(cluster, profileDir, window) : undefined;
    const measured = {
      startedAt,
      argv: process.argv.slice(2),
      options: { ...o, scenarios: [...o.scenarios] },
      environment,
      ...(ingest ? { ingest } : {}),
      ...(steps ? { steps } : {}),
      ...(e2e ? { e2e } : {}),
      ...(backlog ? { backlog } : {}),
      ...(soak ? { soak } : {}),
      totals: {
        accepted: ledger.accepted,
        delivered: ledger.delivered,
        errors: ledger.errors,
        duplicates: ledger.duplicates,
        unmatched: ledger.unmatched,
      },
      checks: {
        everyAcceptedDelivered: ledger.pending === 0,
        noErrorAnswers: ledger.errors === 0,
      },
      logProblems: logs.problems(),
      ...(profiles ? { profiles } : {}),
    };
    const results: BenchResults = { ...measured, targets: evaluateTargets(measured, o) };
    await mkdir(dirname(o.out), { recursive: true });
    await writeFile(o.out, `${JSON.stringify(results, null, 2)}\n`);
    if (steps?.length) await writeChart(o, results, steps);
    if (profiles) process.stderr.write(`${formatProfiles(profiles)}\n\n`);
    process.stdout.write(`${formatResults(results)}\nresults: ${o.out}\n`);
    if (steps?.length) process.stdout.write(`chart: ${o.chart}\n`);
    const passed = results.checks.everyAcceptedDelivered && results.checks.noErrorAnswers;
    // A smoke run checks only that the runner runs and reports, not the figures.
    return o.smoke ? (ledger.accepted > 0 ? 0 : 1) : passed ? 0 : 1;
  } finally {
    await cluster?.destroy();
    await subscriber.close();
    await stopSink?.();
  }
}

let stopSink: (() => Promise<void>) | undefined;

/** An OTLP/HTTP endpoint that answers 200 to every export and keeps nothing. */
async function startTraceSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function writeChart(o: BenchOptions, r: BenchResults, steps: PhaseResult[]) {
  const e = r.environment;
  const title = `Hookrail ${e.commit}: stepped arrival rate, ${e.cpus} CPUs, everything co-located (${r.startedAt.slice(0, 16)}Z)`;
  const svg = renderChart(
    title,
    steps.map((p) => ({
      label: p.load.replace(", open loop", ""),
      target: Number(p.name.replace("step-", "")),
      accepted: p.ingestRate,
      delivered: p.deliveredRate,
      acceptLatency: p.acceptLatency,
      deliveryLatency: p.deliveryLatency,
    })),
  );
  await mkdir(dirname(o.chart), { recursive: true });
  await writeFile(o.chart, svg);
}

/** Stops the services so they write their profiles, and summarises each over `window`. */
async function stopAndSummarise(
  c: Cluster,
  dir: string,
  window: Window,
): Promise<Record<string, ProfileSummary>> {
  const pids = new Map([...c.processes].map(([name, p]) => [String(p.pid), name]));
  await c.stop();
  const summaries: Record<string, ProfileSummary> = {};
  for (const file of await readdir(dir)) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread (others
    // are workers, e.g. the one running the ESM loader hooks of the telemetry preload).
    const [, , , pid, thread] = file.split(".");
    const name = pids.get(pid ?? "");
    if (name && thread === "0" && file.endsWith(".cpuprofile"))
      summaries[name] = await summariseProfile(join(dir, file), window);
  }
  log(`profiles in ${dir}`);
  return summaries;
}

/** Gives up: stops the services (and removes their database and streams if it can) and exits. */
async function abort(reason: string): Promise<never> {
  log(reason);
  const kill = setTimeout(() => {
    for (const p of cluster?.processes.values() ?? []) p.child.kill("SIGKILL");
    process.exit(2);
  }, 15_000);
  kill.unref();
  // A scenario may have stopped (SIGSTOP) a service: it must run again to hear SIGTERM.
  for (const p of cluster?.processes.values() ?? []) p.child.kill("SIGCONT");
  await cluster?.destroy().catch(() => undefined);
  process.exit(2);
}

const parsed = (() => {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(64);
  }
})();
if (parsed === "help") {
  process.stdout.write(`${USAGE}\n`);
} else {
  // Every loop has its own deadline; this one bounds the whole run should something hang.
  const o = parsed;
  const budgetMs =
    180_000 +
    o.warmupMs +
    o.rounds * 3 * o.slotMs +
    2 * o.slotMs +
    o.steps.length * (o.stepMs + o.drainMs) +
    (o.e2eMs + o.drainMs) +
    2 * Math.max(o.drainMs, o.backlog * 5) +
    (o.scenarios.has("soak") ? o.soakMs + o.drainMs : 0) +
    5 * o.drainMs;
  setTimeout(() => void abort(`gave up after ${budgetMs} ms`), budgetMs).unref();
  process.once("SIGINT", () => void abort("interrupted"));
  process.once("SIGTERM", () => void abort("terminated"));
  try {
    process.exitCode = await main(parsed);
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  }
}
