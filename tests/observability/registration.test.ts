import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/ports.js";
import { type SentrySink, startSentrySink } from "../support/sentry-sink.js";

// What this proves: the telemetry preload of a service registers the global OpenTelemetry API
// exactly once — trace, context, propagation and metrics each by the NodeSDK — with and without
// Sentry, so Sentry 11 did not install a provider, context manager or propagator of its own
// (which would be "Attempted duplicate registration of API: …", or, with allowOverride, a second
// "Registered a global for …").
//
// How: the preload is run exactly as the services run it (`node --import <instrument.js>`), with
// OTEL_LOG_LEVEL=debug, which makes the SDK install a console diag logger before it registers
// anything. @opentelemetry/api then prints "Registered a global for <type>" for every
// registration and "Attempted duplicate registration of API: <type>" for every refused one. The
// script after the preload reads the API's global registry,
// globalThis[Symbol.for("opentelemetry.js.api.1")], and reports its version, its entries and
// the classes registered, and whether Sentry's global carrier exists.

const REGISTRY_SCRIPT = `
const api = globalThis[Symbol.for("opentelemetry.js.api.1")];
const tracer = api?.trace?.getTracer("registration-test");
const span = tracer?.startSpan("probe");
// 40 new traces at once: how many does the sampler keep?
let kept = 0;
for (let i = 0; i < 40; i++) {
  const root = tracer?.startSpan("root " + i);
  if (root?.isRecording()) kept++;
  root?.end();
}
const report = {
  version: api?.version,
  entries: Object.keys(api ?? {}).sort(),
  trace: api?.trace?.getDelegate?.()?.constructor?.name ?? api?.trace?.constructor?.name,
  context: api?.context?.constructor?.name,
  propagation: api?.propagation?.constructor?.name,
  fields: api?.propagation?.fields?.(),
  metrics: api?.metrics?.constructor?.name,
  traceId: span?.spanContext().traceId,
  keptOf40: kept,
  // The SDK's tracer holds the sampler it was given (a private field, read for the report only).
  sampler: String(tracer?._sampler ?? ""),
  sentry: globalThis.__SENTRY__ !== undefined,
};
span?.end();
process.stdout.write("REGISTRY " + JSON.stringify(report) + "\\n");
process.exit(0);
`;

interface Report {
  version: string;
  entries: string[];
  trace: string;
  context: string;
  propagation: string;
  fields: string[];
  metrics: string;
  traceId: string;
  keptOf40: number;
  sampler: string;
  sentry: boolean;
}

/** The preload each service is started with (`node --import`), as built by `pnpm build`. */
const instrument = (service: string) =>
  pathToFileURL(resolve(import.meta.dirname, "../../services", service, "dist", "instrument.js"))
    .href;

async function runPreload(
  service: "gateway" | "processor" | "notifier",
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; report: Report }> {
  const child = spawn(
    process.execPath,
    ["--import", instrument(service), "--input-type=module", "-e", REGISTRY_SCRIPT],
    {
      env: {
        PATH: process.env.PATH ?? "",
        METRICS_PORT: String(await freePort()),
        OTEL_LOG_LEVEL: "debug",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    output += c.toString("utf8");
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  const line = output.split("\n").find((l) => l.startsWith("REGISTRY "));
  if (!line) throw new Error(`no registry report (exit ${code}):\n${output}`);
  return { code, output, report: JSON.parse(line.slice("REGISTRY ".length)) as Report };
}

const registrations = (output: string) =>
  [...output.matchAll(/Registered a global for (\w+) v/g)].map((m) => m[1] as string);

const CASES = [
  ["processor", true],
  ["processor", false],
  ["gateway", true],
  ["notifier", true],
] as const;

let sink: SentrySink;
const runs = new Map<string, Awaited<ReturnType<typeof runPreload>>>();

beforeAll(async () => {
  sink = await startSentrySink();
  // The four processes at once: each takes a second or two to load the SDK.
  await Promise.all(
    CASES.map(async ([service, withSentry]) => {
      const env: Record<string, string> = withSentry
        ? { SENTRY_DSN: sink.dsn, SENTRY_ENVIRONMENT: "e2e", SENTRY_RELEASE: "hookrail@test-1" }
        : {};
      runs.set(`${service}:${withSentry}`, await runPreload(service, env));
    }),
  );
}, 30_000);

afterAll(async () => {
  await sink?.close();
});

describe.each(CASES)("the %s preload (Sentry: %s)", (service, withSentry) => {
  let run: Awaited<ReturnType<typeof runPreload>>;
  beforeAll(() => {
    run = runs.get(`${service}:${withSentry}`) as typeof run;
  });

  it("registers trace, context, propagation and metrics exactly once, and nothing twice", () => {
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toMatch(/duplicate registration/i);
    expect(run.output).not.toMatch(/does not match previously registered API/i);
    const registered = registrations(run.output).filter((t) => t !== "diag");
    for (const type of ["trace", "context", "propagation", "metrics"]) {
      expect(
        registered.filter((t) => t === type),
        `${type} in:\n${run.output}`,
      ).toHaveLength(1);
    }
    // nothing else registers a global a second time (e.g. a logger provider)
    expect(registered.length, run.output).toBe(new Set(registered).size);
  });

  it("holds the SDK's components in the one global registry", () => {
    const r = run.report;
    expect(r.version).toBe("1.10.0");
    expect(r.entries).toEqual(
      expect.arrayContaining(["context", "metrics", "propagation", "trace"]),
    );
    // (bundled class names may carry a suffix such as "$1")
    expect(r.trace).toMatch(/^TracerProvider\b/);
    expect(r.context).toMatch(/^EmitBindingContextManager\b/);
    expect(r.metrics).toMatch(/^MeterProvider\b/);
    expect(r.propagation).toMatch(/^W3CPropagator\b/);
    // W3C trace context and baggage, not Sentry's propagator (no sentry-trace header)
    expect(r.fields).toEqual(["traceparent", "tracestate", "baggage"]);
    expect(r.fields).not.toContain("sentry-trace");
    // a span made through the API is a real one: the SDK's provider is in place
    expect(r.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });

  it("samples new traces with Hookrail's default: a reservoir per second, then 1%", () => {
    // the probe took one of the first second's 10 (a second boundary inside the loop gives 10
    // more); 1% of the other 30 keeps 6 or more at about one in a million, so more than 25 in
    // all does not happen; always_on would keep 40, a plain 1% ratio about none
    expect(run.report.keptOf40).toBeGreaterThanOrEqual(9);
    expect(run.report.keptOf40).toBeLessThanOrEqual(25);
    // the counts above cannot tell 1% from 10%; the sampler's own description can
    expect(run.report.sampler).toMatch(/ReservoirRatioSampler\{perSecond=10, ratio=0\.01\}/);
  });

  it(withSentry ? "initialises Sentry" : "loads no Sentry at all without a DSN", () => {
    expect(run.report.sentry).toBe(withSentry);
  });
});

describe("OTEL_TRACES_SAMPLER and OTEL_PROPAGATORS, when set", () => {
  it("keep OpenTelemetry's own meanings in place of Hookrail's defaults", async () => {
    const { code, output, report } = await runPreload("gateway", {
      OTEL_TRACES_SAMPLER: "parentbased_always_on",
      OTEL_PROPAGATORS: "tracecontext",
    });
    expect(code, output).toBe(0);
    expect(report.keptOf40).toBe(40);
    expect(report.propagation).not.toMatch(/^W3CPropagator\b/);
    expect(report.fields).toEqual(["traceparent", "tracestate"]);
  }, 20_000);
});

describe("the batch span processor's OTEL_BSP_* settings", () => {
  it("refuses a value that is not a positive whole number, naming the variable", async () => {
    // Exit 78 (configuration) before anything loads: runPreload finds no report and says why.
    await expect(runPreload("gateway", { OTEL_BSP_SCHEDULE_DELAY: "soon" })).rejects.toThrow(
      /exit 78\)[\s\S]*OTEL_BSP_SCHEDULE_DELAY: .*\(got "soon"\)/,
    );
  }, 20_000);
});

describe("the preloads together", () => {
  it("sent no event to Sentry just by starting", () => {
    expect(sink.errors).toEqual([]);
    expect(sink.events).toEqual([]);
  });
});
