import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { duration } from "@hookrail/config";

/** What one run of the benchmark does; every phase has a deadline. */
export interface BenchOptions {
  /** Length of each measured phase (saturated ingest, then paced), ms. */
  durationMs: number;
  /** Unmeasured load before the first phase, ms. */
  warmupMs: number;
  /** Concurrent keep-alive connections to the gateway. */
  connections: number;
  /** Webhooks/s of the paced phase; undefined: half what the saturated phase delivered. */
  rate: number | undefined;
  /** Longest wait, after a phase, for its accepted webhooks to reach the subscriber, ms. */
  drainMs: number;
  /** Approximate size of each webhook's JSON body. */
  bodyBytes: number;
  /** Where the JSON results go. */
  out: string;
  /** Extra environment for the services, e.g. OTEL_SDK_DISABLED=true, to compare settings. */
  serviceEnv: Record<string, string>;
  /** Profile the services (--cpu-prof) and summarise where their time went. */
  cpuProf: boolean;
  smoke: boolean;
}

export const USAGE = `usage: pnpm bench [options]

  --duration <d>      each measured phase (default 20s; smoke 2s)
  --warmup <d>        unmeasured load first (default 3s; smoke 500ms)
  --connections <n>   keep-alive connections to the gateway (default 50; smoke 4)
  --rate <n>          webhooks/s of the paced phase (default: half the saturated delivery rate)
  --drain <d>         longest wait for deliveries after each phase (default 30s; smoke 15s)
  --body-bytes <n>    size of each webhook body (default 1024)
  --out <file>        JSON results (default: a file in the temp directory)
  --service-env K=V   extra environment for the services (repeatable), e.g. OTEL_SDK_DISABLED=true
  --cpu-prof          profile the services and print their top self-time functions
  --smoke             a few seconds in all, small counts: checks that it runs and reports
  --help`;

/** Parses the command line; throws with a message for a bad value. */
export function parseOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      rate: { type: "string" },
      drain: { type: "string" },
      "body-bytes": { type: "string" },
      out: { type: "string" },
      "service-env": { type: "string", multiple: true, default: [] },
      "cpu-prof": { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const smoke = values.smoke;
  const stamp = new Date().toISOString().replaceAll(/[:.]/g, "-");
  return {
    durationMs: ms("--duration", values.duration ?? (smoke ? "2s" : "20s")),
    warmupMs: ms("--warmup", values.warmup ?? (smoke ? "500ms" : "3s")),
    connections: count("--connections", values.connections ?? (smoke ? "4" : "50"), 1, 1000),
    rate: values.rate === undefined ? undefined : count("--rate", values.rate, 1, 100_000),
    drainMs: ms("--drain", values.drain ?? (smoke ? "15s" : "30s")),
    bodyBytes: count("--body-bytes", values["body-bytes"] ?? "1024", 64, 512 * 1024),
    out: values.out ?? join(tmpdir(), `hookrail-bench-${stamp}.json`),
    serviceEnv: Object.fromEntries(values["service-env"].map(assignment)),
    cpuProf: values["cpu-prof"],
    smoke,
  };
}

function ms(flag: string, value: string): number {
  const parsed = duration().safeParse(value);
  if (!parsed.success) throw new Error(`${flag} must be a duration like 500ms or 20s`);
  if (parsed.data > 10 * 60_000) throw new Error(`${flag} must be at most 10m`);
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
