import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { duration } from "@hookrail/config";

export const SCENARIOS = ["ingest", "steps", "e2e", "backlog", "soak"] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** What one run of the benchmark does; every phase has a deadline. */
export interface BenchOptions {
  scenarios: ReadonlySet<Scenario>;
  /** Unmeasured load before the first scenario, ms. */
  warmupMs: number;
  /** Concurrent keep-alive connections of the closed-loop ingest comparison. */
  connections: number;
  /** Ingest comparison: length of each target's slot, ms, and how many rounds of slots. */
  slotMs: number;
  rounds: number;
  /** Open-loop arrival rates of the stepped scenario, webhooks/s, and each step's length, ms. */
  steps: number[];
  stepMs: number;
  /** End-to-end scenario: arrival rate and length. */
  e2eRate: number;
  e2eMs: number;
  /** Webhooks queued for the backlog-drain scenario. */
  backlog: number;
  /** Soak: length and arrival rate. */
  soakMs: number;
  soakRate: number;
  /** Most requests in flight in the open-loop scenarios (k6's preallocated VUs). */
  maxInFlight: number;
  /** Longest wait, after a scenario, for its accepted webhooks to reach the subscriber, ms. */
  drainMs: number;
  /** Approximate size of each webhook's JSON body. */
  bodyBytes: number;
  /** Where the JSON results go; the chart goes next to them (`.svg`). */
  out: string;
  chart: string;
  /** Extra environment for the services, e.g. OTEL_SDK_DISABLED=true, to compare settings. */
  serviceEnv: Record<string, string>;
  /** Profile the services (--cpu-prof) and summarise where their time went. */
  cpuProf: boolean;
  smoke: boolean;
}

export const USAGE = `usage: pnpm bench [options]

  --scenarios <list>  of ${SCENARIOS.join(",")} (default: all but soak)
  --warmup <d>        unmeasured load first (default 3s; smoke 500ms)
  --connections <n>   connections of the closed-loop ingest comparison (default 50; smoke 4)
  --slot <d>          ingest comparison: each target's slot (default 5s; smoke 300ms)
  --rounds <n>        ingest comparison: rounds of slots (default 4; smoke 1)
  --steps <list>      stepped arrival rates, webhooks/s (default 100,500,1000,2000; smoke 20,50)
  --step-duration <d> each step (default 10s; smoke 1s)
  --e2e-rate <n>      end-to-end arrival rate (default 2000; smoke 50)
  --e2e-duration <d>  end-to-end length (default 60s; smoke 1s)
  --backlog <n>       webhooks queued for the drain scenario (default 200000; smoke 300)
  --soak <d>          soak length (default 10m), with --scenarios soak
  --soak-rate <n>     soak arrival rate (default 200)
  --max-in-flight <n> open-loop requests in flight at most (default 256; smoke 16)
  --drain <d>         longest wait for deliveries after a scenario (default 60s; smoke 15s)
  --body-bytes <n>    size of each webhook body (default 1024)
  --out <file>        JSON results (default: a file in the temp directory)
  --chart <file>      SVG chart of the steps (default: the results' path with .svg)
  --service-env K=V   extra environment for the services (repeatable), e.g. OTEL_SDK_DISABLED=true
  --cpu-prof          profile the services over the end-to-end scenario (else the backlog drain)
  --smoke             seconds in all, small counts: checks that it runs and reports
  --help`;

/** Parses the command line; throws with a message for a bad value. */
export function parseOptions(argv: string[]): BenchOptions | "help" {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenarios: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      slot: { type: "string" },
      rounds: { type: "string" },
      steps: { type: "string" },
      "step-duration": { type: "string" },
      "e2e-rate": { type: "string" },
      "e2e-duration": { type: "string" },
      backlog: { type: "string" },
      soak: { type: "string" },
      "soak-rate": { type: "string" },
      "max-in-flight": { type: "string" },
      drain: { type: "string" },
      "body-bytes": { type: "string" },
      out: { type: "string" },
      chart: { type: "string" },
      "service-env": { type: "string", multiple: true, default: [] },
      "cpu-prof": { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (v.help) return "help";
  const smoke = v.smoke;
  const pick = (value: string | undefined, normal: string, small: string) =>
    value ?? (smoke ? small : normal);
  const stamp = new Date().toISOString().replaceAll(/[:.]/g, "-");
  const out = v.out ?? join(tmpdir(), `hookrail-bench-${stamp}.json`);
  return {
    scenarios: scenarios(v.scenarios),
    warmupMs: ms("--warmup", pick(v.warmup, "3s", "500ms")),
    connections: count("--connections", pick(v.connections, "50", "4"), 1, 1000),
    slotMs: ms("--slot", pick(v.slot, "5s", "300ms")),
    rounds: count("--rounds", pick(v.rounds, "4", "1"), 1, 100),
    steps: pick(v.steps, "100,500,1000,2000", "20,50")
      .split(",")
      .map((s) => count("--steps", s.trim(), 1, 100_000)),
    stepMs: ms("--step-duration", pick(v["step-duration"], "10s", "1s")),
    e2eRate: count("--e2e-rate", pick(v["e2e-rate"], "2000", "50"), 1, 100_000),
    e2eMs: ms("--e2e-duration", pick(v["e2e-duration"], "60s", "1s")),
    backlog: count("--backlog", pick(v.backlog, "200000", "300"), 1, 5_000_000),
    soakMs: ms("--soak", v.soak ?? "10m"),
    soakRate: count("--soak-rate", v["soak-rate"] ?? "200", 1, 100_000),
    maxInFlight: count("--max-in-flight", pick(v["max-in-flight"], "256", "16"), 1, 10_000),
    drainMs: ms("--drain", pick(v.drain, "60s", "15s")),
    bodyBytes: count("--body-bytes", v["body-bytes"] ?? "1024", 64, 512 * 1024),
    out,
    chart: v.chart ?? out.replace(/(\.json)?$/, ".svg"),
    serviceEnv: Object.fromEntries(v["service-env"].map(assignment)),
    cpuProf: v["cpu-prof"],
    smoke,
  };
}

function scenarios(value: string | undefined): ReadonlySet<Scenario> {
  if (value === undefined) return new Set(SCENARIOS.filter((s) => s !== "soak"));
  const names = value.split(",").map((s) => s.trim());
  for (const name of names)
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`--scenarios: ${JSON.stringify(name)} is not one of ${SCENARIOS.join(", ")}`);
  return new Set(names as Scenario[]);
}

function ms(flag: string, value: string): number {
  const parsed = duration().safeParse(value);
  if (!parsed.success) throw new Error(`${flag} must be a duration like 500ms or 20s`);
  if (parsed.data > 60 * 60_000) throw new Error(`${flag} must be at most 60m`);
  return parsed.data;
}

function count(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

function assignment(value: string): [string, string] {
  const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(value);
  if (!m?.[1]) throw new Error(`--service-env must be NAME=value, not ${JSON.stringify(value)}`);
  return [m[1], m[2] ?? ""];
}
