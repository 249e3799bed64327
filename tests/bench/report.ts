import type { CpuShares } from "./cpu.js";
import type { Environment } from "./environment.js";
import type { Percentiles, PhaseStats } from "./ledger.js";
import type { LogProblems } from "./logs.js";
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
}

export interface BenchResults {
  startedAt: string;
  argv: string[];
  options: BenchOptions;
  environment: Environment;
  phases: PhaseResult[];
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

/** The results as a table and a few lines, for stdout. */
export function formatResults(r: BenchResults): string {
  const e = r.environment;
  const rows = [
    ["phase", "load", "202/s", "202 ms p50/p95/p99", "delivered ms p50/p95/p99", "delivered/s"],
    ...r.phases.map((p) => [
      p.name,
      p.load,
      p.ingestRate.toFixed(0),
      ms(p.acceptLatency),
      ms(p.deliveryLatency),
      p.deliveredRate.toFixed(0),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  const table = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
  const checks = r.phases.map(
    (p) =>
      `${p.name}: delivered ${p.delivered}/${p.accepted} accepted; errors ${describeErrors(p)}` +
      (p.skipped ? `; ${p.skipped} sends skipped (all connections busy)` : "") +
      (p.deliveredWithout202 ? `; ${p.deliveredWithout202} delivered without a 202` : "") +
      (p.pendingAfterDrain
        ? `; ${p.pendingAfterDrain} still undelivered when the drain time ran out`
        : ""),
  );
  const cpu = r.phases.map(
    (p) => `${p.name} CPU while sending (% of one core): ${describeCpu(p.cpu)}`,
  );
  const t = r.totals;
  return [
    `Hookrail bench — ${r.startedAt} — commit ${e.commit} — node ${e.node}, nats-server ${e.natsServer}, postgres ${e.postgres}, ${e.cpus} × ${e.cpuModel}, ${e.busyBeforePercent.toFixed(0)}% CPU busy before start`,
    "",
    ...table,
    "",
    ...checks,
    ...cpu,
    `all phases and warm-up: delivered ${t.delivered}/${t.accepted} accepted, ${t.errors} error answers, ${t.duplicates} duplicate and ${t.unmatched} unmatched deliveries`,
    ...describeLogProblems(r.logProblems),
    `checks: every 202 delivered ${r.checks.everyAcceptedDelivered ? "PASS" : "FAIL"}; no error answers ${r.checks.noErrorAnswers ? "PASS" : "FAIL"}`,
  ].join("\n");
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
