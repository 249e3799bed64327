import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { apiClient } from "../support/api.js";
import { type Cluster, NATS_URL, startCluster } from "../support/cluster.js";
import { startSubscriber } from "../support/subscriber.js";
import { cpuBusyPercent, describeEnvironment } from "./environment.js";
import { Ledger } from "./ledger.js";
import { closedLoop, openLoop } from "./load.js";
import { logProblems } from "./logs.js";
import { type BenchOptions, parseOptions, USAGE } from "./options.js";
import { type PhaseTarget, runPhase } from "./phase.js";
import { type ProfileSummary, summariseProfile, type Window } from "./profile.js";
import { type BenchResults, formatProfiles, formatResults } from "./report.js";
import { githubWebhooks } from "./webhooks.js";

// `pnpm bench`: the three services as processes on this machine's NATS and Postgres (a fresh
// database and stream prefix), a local subscriber, and load on loopback in three phases:
// warm-up; saturated ingest (closed loop); paced ingest (open loop) at half of what the pipeline
// delivered when saturated, where the received→delivered latency is not just queueing.

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
let cluster: Cluster | undefined;

async function main(o: BenchOptions): Promise<number> {
  const startedAt = new Date().toISOString();
  const profileDir = o.cpuProf ? await mkdtemp(join(tmpdir(), "hookrail-prof-")) : undefined;
  const busyBefore = await cpuBusyPercent();
  if (busyBefore > 25)
    log(`the machine is busy (${busyBefore.toFixed(0)}% CPU before start): figures will be low`);
  const ledger = new Ledger();
  const subscriber = await startSubscriber((delivery) => {
    const id = delivery.headers["x-request-id"];
    ledger.arrived(Array.isArray(id) ? id[0] : id);
    subscriber.received.length = 0; // matched already: keep the runner's memory flat
    return 204;
  });
  try {
    log("starting gateway, processor and notifier…");
    cluster = await startCluster({
      env: o.serviceEnv,
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
    const target: PhaseTarget = {
      port: Number(new URL(cluster.gatewayUrl).port),
      path: `/api/v1/webhooks/${source.body.id}`,
      next: githubWebhooks(randomBytes(4).toString("hex"), source.body.secret, o.bodyBytes),
      ledger,
      services: new Map([...cluster.processes].map(([name, p]) => [name, p.pid])),
    };
    const closed = { load: `${o.connections} conns, closed loop`, connections: o.connections };
    const saturate = (send: () => Promise<void>, until: number) =>
      closedLoop(send, o.connections, until).then(() => ({}));
    log(`warm-up ${o.warmupMs} ms`);
    await runPhase(target, {
      ...closed,
      name: "warmup",
      durationMs: o.warmupMs,
      drainMs: o.drainMs,
      drive: saturate,
    });
    log(`saturated ingest ${o.durationMs} ms`);
    const ingest = await runPhase(target, {
      ...closed,
      name: "ingest",
      durationMs: o.durationMs,
      drainMs: o.drainMs,
      drive: saturate,
    });
    const rate =
      o.rate ?? Math.max(1, Math.round(0.5 * Math.min(ingest.ingestRate, ingest.deliveredRate)));
    log(`paced ingest ${o.durationMs} ms at ${rate}/s`);
    const paced = await runPhase(target, {
      name: "paced",
      load: `${rate}/s, open loop`,
      connections: o.connections,
      durationMs: o.durationMs,
      drainMs: o.drainMs,
      drive: (send, until) => openLoop(send, rate, o.connections, until),
    });
    await new Promise((r) => setTimeout(r, 500)); // would-be duplicates have time to arrive
    const profiles = profileDir
      ? await stopAndSummarise(cluster, profileDir, ingest.window)
      : undefined;
    const results: BenchResults = {
      startedAt,
      argv: process.argv.slice(2),
      options: o,
      environment,
      phases: [ingest, paced],
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
      logProblems: logProblems(cluster.logs),
      ...(profiles ? { profiles } : {}),
    };
    await mkdir(dirname(o.out), { recursive: true });
    await writeFile(o.out, `${JSON.stringify(results, null, 2)}\n`);
    if (profiles) process.stderr.write(`${formatProfiles(profiles)}\n\n`);
    process.stdout.write(`${formatResults(results)}\nresults: ${o.out}\n`);
    const passed = results.checks.everyAcceptedDelivered && results.checks.noErrorAnswers;
    // A smoke run checks only that the runner runs and reports, not the figures.
    return o.smoke ? (ledger.accepted > 0 ? 0 : 1) : passed ? 0 : 1;
  } finally {
    await cluster?.destroy();
    await subscriber.close();
  }
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
  const budgetMs = 120_000 + parsed.warmupMs + 2 * parsed.durationMs + 3 * parsed.drainMs;
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
