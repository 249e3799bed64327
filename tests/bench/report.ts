import type { DrainResult } from "./backlog.js";
import type { RateResult } from "./ceilings.js";
import type { CpuShares } from "./cpu.js";
import type { Environment } from "./environment.js";
import type { IngestResult } from "./ingest.js";
import type { Percentiles, PhaseStats } from "./ledger.js";
import type { LogProblems } from "./logs.js";
import type { MemorySeries } from "./memory.js";
import type { BenchOptions } from "./options.js";
import type { ProfileSummary, Window } from "./profile.js";

/** One measured phase: the ledger's figures and the rates derived from them. */
export interface PhaseResult extends PhaseStats {
  name: string;
  /** How the load was applied, e.g. "50 conns, closed loop". */
  load: string;
  /** Length of the sending window, s. */
  seconds: number;
  /** 202 answers per second of the window. */
  ingestRate: number;
  /** Deliveries per second, from the phase's first send to its last delivery. */
  deliveredRate: number;
  /** The sending window, on the clock of CPU profiles. */
  window: Window;
  /** Accepted webhooks (of any phase so far) still undelivered when the drain time ran out. */
  pendingAfterDrain: number;
  /** CPU use while sending, in percent of one core, by process group (Linux). */
  cpu?: CpuShares;
  /** Open loop only: sends skipped because every connection was busy. */
  skipped?: number;
  /** Steps: each service's largest RSS during the step, MiB. */
  rssMaxMiB?: Record<string, number>;
}

export interface CeilingResults {
  /** Pipelined JetStream publishes (1 KiB, unique msgIDs, 256 in flight). */
  publishes: RateResult;
  /** Rows per second of 100-row INSERTs into a table shaped like the event store's. */
  inserts: RateResult;
}

export interface IngestComparison {
  /** express+publish, the gateway as shipped, with every trace kept, with telemetry off: interleaved, same load. */
  targets: IngestResult[];
  /** Webhooks the gateways accepted that were still undelivered when the drain time ran out. */
  pendingAfterDrain?: number;
}

export interface EndToEndResult {
  phase: PhaseResult;
  /** Both consumers' pending + ack-pending, sampled while sending. */
  backlog: number[];
  backlogSampleMs: number;
  /** Each service's RSS while sending. */
  memory: Record<string, MemorySeries>;
}

export interface SoakResult extends EndToEndResult {
  rate: number;
  minutes: number;
}

export interface BacklogResult {
  queued: number;
  /** Queuing the backlog straight onto the stream (pipelined publishes of real messages). */
  fill: RateResult;
  /** The processor alone draining it. */
  drain: DrainResult;
  /** The drain, on the clock of CPU profiles. */
  window: Window;
  /** Then the notifier delivering it. */
  delivered: number;
  deliverySeconds: number;
  pendingAfterDrain: number;
}

/** One row of the targets table: the figure, the goal, what was measured, and whether it holds. */
export interface TargetRow {
  figure: string;
  target: string;
  measured: string;
  /** Unset for a row that is there for comparison, with no target of its own. */
  met: boolean | undefined;
}

export interface BenchResults {
  startedAt: string;
  argv: string[];
  options: Omit<BenchOptions, "scenarios"> & { scenarios: string[] };
  environment: Environment;
  ingest?: { ceilings: CeilingResults; comparison: IngestComparison };
  steps?: PhaseResult[];
  e2e?: EndToEndResult;
  backlog?: BacklogResult;
  soak?: SoakResult;
  targets: TargetRow[];
  totals: {
    accepted: number;
    delivered: number;
    errors: number;
    duplicates: number;
    unmatched: number;
  };
  checks: { everyAcceptedDelivered: boolean; noErrorAnswers: boolean };
  /** Services that logged warnings or errors (none: an empty object). */
  logProblems: Record<string, LogProblems>;
  profiles?: Record<string, ProfileSummary>;
}

const ms = (p: Percentiles) => [p.p50, p.p95, p.p99].map((v) => v.toFixed(1)).join(" / ");

/** The results as tables and a few lines, for stdout. */
export function formatResults(r: BenchResults): string {
  const e = r.environment;
  const phases = [
    ...(r.steps ?? []),
    ...(r.e2e ? [r.e2e.phase] : []),
    ...(r.soak ? [r.soak.phase] : []),
  ];
  const t = r.totals;
  return [
    `Hookrail bench — ${r.startedAt} — commit ${e.commit} — node ${e.node}, nats-server ${e.natsServer}, postgres ${e.postgres}, ${e.cpus} × ${e.cpuModel}, ${e.busyBeforePercent.toFixed(0)}% CPU busy before start`,
    "",
    ...table([
      ["figure", "target", "measured", "met"],
      ...r.targets.map((row) => [
        row.figure,
        row.target,
        row.measured,
        row.met === undefined ? "–" : row.met ? "yes" : "NO",
      ]),
    ]),
    ...(r.ingest ? ["", ...describeIngest(r.ingest)] : []),
    ...(phases.length
      ? [
          "",
          ...table([
            [
              "phase",
              "load",
              "202/s",
              "202 ms p50/p95/p99",
              "delivered ms p50/p95/p99",
              "delivered/s",
            ],
            ...phases.map((p) => [
              p.name,
              p.load,
              p.ingestRate.toFixed(0),
              ms(p.acceptLatency),
              ms(p.deliveryLatency),
              p.deliveredRate.toFixed(0),
            ]),
          ]),
        ]
      : []),
    "",
    ...phases.map(describePhase),
    ...phases.map((p) => `${p.name} CPU while sending (% of one core): ${describeCpu(p.cpu)}`),
    ...(r.e2e ? describeMemory("e2e", r.e2e) : []),
    ...(r.soak ? describeMemory("soak", r.soak) : []),
    ...(r.backlog ? [describeBacklog(r.backlog)] : []),
    `all scenarios and warm-up: delivered ${t.delivered}/${t.accepted} accepted, ${t.errors} error answers, ${t.duplicates} duplicate and ${t.unmatched} unmatched deliveries`,
    ...describeLogProblems(r.logProblems),
    `checks: every 202 delivered ${r.checks.everyAcceptedDelivered ? "PASS" : "FAIL"}; no error answers ${r.checks.noErrorAnswers ? "PASS" : "FAIL"}`,
  ].join("\n");
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

function describeIngest(i: NonNullable<BenchResults["ingest"]>): string[] {
  const c = i.ceilings;
  return [
    ...table([
      [
        "ingest (interleaved, closed loop)",
        "202/s",
        "202 ms p50/p95/p99",
        "CPU ms per 202",
        "main thread",
        "errors",
      ],
      ...i.comparison.targets.map((x) => [
        x.name,
        x.rate.toFixed(0),
        ms(x.latency),
        x.cpuMsPer202?.toFixed(3) ?? "?",
        x.mainThreadMsPer202?.toFixed(3) ?? "?",
        Object.entries(x.errors)
          .map(([k, n]) => `${n} × ${k}`)
          .join(", ") || "0",
      ]),
    ]),
    `ceilings: pipelined JetStream publishes ${c.publishes.rate.toFixed(0)}/s (${c.publishes.count} in ${c.publishes.seconds.toFixed(1)} s); 100-row Postgres inserts ${c.inserts.rate.toFixed(0)} rows/s (${c.inserts.count} in ${c.inserts.seconds.toFixed(1)} s)`,
  ];
}

function describePhase(p: PhaseResult): string {
  return (
    `${p.name}: delivered ${p.delivered}/${p.accepted} accepted; errors ${describeErrors(p)}` +
    (p.skipped ? `; ${p.skipped} sends skipped (the in-flight limit was reached)` : "") +
    (p.deliveredWithout202 ? `; ${p.deliveredWithout202} delivered without a 202` : "") +
    (p.pendingAfterDrain
      ? `; ${p.pendingAfterDrain} still undelivered when the drain time ran out`
      : "")
  );
}

function describeMemory(name: string, r: EndToEndResult): string[] {
  const b = r.backlog;
  return [
    `${name} RSS MiB (first → last, max, slope of the second half MiB/min): ` +
      Object.entries(r.memory)
        .map(
          ([s, m]) =>
            `${s} ${m.first.toFixed(0)} → ${m.last.toFixed(0)}, max ${m.max.toFixed(0)}, ${m.slopeMiBPerMinute.toFixed(2)}` +
            (m.heapUsed?.samples.length
              ? ` (V8 heap in use ${m.heapUsed.first.toFixed(0)} → ${m.heapUsed.last.toFixed(0)}, max ${m.heapUsed.max.toFixed(0)})`
              : ""),
        )
        .join("; "),
    `${name} consumer backlog (pending + ack pending, every ${r.backlogSampleMs} ms): first ${b[0] ?? "?"}, max ${Math.max(0, ...b)}, last ${b.at(-1) ?? "?"}`,
  ];
}

function describeBacklog(b: BacklogResult): string {
  return (
    `backlog: ${b.queued} queued at ${b.fill.rate.toFixed(0)}/s; the processor appended ${b.drain.events} events in ${b.drain.seconds.toFixed(1)} s = ${b.drain.eventsPerSecond.toFixed(0)} events/s` +
    (b.drain.leftPending ? ` (${b.drain.leftPending} still pending)` : "") +
    `; the notifier then delivered ${b.delivered} in ${b.deliverySeconds.toFixed(1)} s = ${(b.delivered / (b.deliverySeconds || 1)).toFixed(0)}/s`
  );
}

function describeCpu(cpu: CpuShares | undefined): string {
  if (!cpu) return "unknown (no /proc)";
  const order = [
    "runner",
    "gateway",
    "processor",
    "notifier",
    "nats-server",
    "postgres",
    "others",
    "idle",
  ];
  return order.map((k) => `${k} ${(cpu[k] ?? 0).toFixed(0)}`).join(", ");
}

function describeLogProblems(problems: Record<string, LogProblems>): string[] {
  const entries = Object.entries(problems);
  if (entries.length === 0) return ["service logs: no warnings or errors"];
  return entries.flatMap(([service, p]) => [
    `${service} logged ${count(p.warnings, "warning")} and ${count(p.errors, "error")}, e.g.:`,
    ...p.samples.map((line) => `  ${line}`),
  ]);
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function describeErrors(p: PhaseStats): string {
  const kinds = Object.entries(p.errors);
  if (kinds.length === 0) return "0";
  return kinds
    .map(([status, n]) => {
      const detail = p.errorDetails[status];
      return `${n} × ${status}${detail ? ` (${detail.replaceAll(/\s+/g, " ").slice(0, 120)})` : ""}`;
    })
    .join(", ");
}

/** Where each service's CPU went during the saturated phase, for stderr. */
export function formatProfiles(profiles: Record<string, ProfileSummary>): string {
  const out: string[] = [];
  for (const [service, s] of Object.entries(profiles)) {
    const busy = s.totalMs - s.idleMs;
    out.push(
      "",
      `${service}: busy ${(busy / 1000).toFixed(1)} s of ${(s.totalMs / 1000).toFixed(1)} s of the saturated phase (not idle in the event loop, waiting for a CPU included)`,
      "  by origin:",
      ...s.origins.map((o) => `    ${o.percent.toFixed(1).padStart(5)}%  ${o.name}`),
      "  top self time:",
      ...s.functions.map((f) => `    ${f.percent.toFixed(1).padStart(5)}%  ${f.name}`),
    );
  }
  return out.join("\n");
}
