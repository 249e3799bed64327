import { describe, expect, it } from "vitest";
import { niceTicks, renderChart } from "./chart.js";
import { LogWatch } from "./logs.js";
import { slope } from "./memory.js";
import { parseOptions } from "./options.js";

const p = (v: number) => ({ p50: v, p95: 2 * v, p99: 3 * v, max: 4 * v });

describe("bench runner pieces", () => {
  it("counts warnings and errors as lines arrive, keeping only a few samples", () => {
    const logs = new LogWatch();
    const pino = (level: string | number, msg: string) =>
      JSON.stringify({ level, time: "t", service: "gateway", msg });
    for (let i = 0; i < 1000; i++) logs.line("gateway", pino("info", "webhook accepted"));
    logs.line("gateway", pino("warn", "slow"));
    logs.line("gateway", pino(50, "broken"));
    logs.line("gateway", pino("fatal", "gone"));
    for (let i = 0; i < 10; i++) logs.line("notifier", pino("warn", `w${i}`));
    logs.line("processor", "Error: not a pino line");
    const problems = logs.problems();
    expect(problems.gateway).toMatchObject({ warnings: 1, errors: 2 });
    expect(problems.gateway?.samples).toHaveLength(3);
    expect(problems.notifier).toMatchObject({ warnings: 10, errors: 0 });
    expect(problems.notifier?.samples).toHaveLength(5);
    expect(problems.processor).toMatchObject({ warnings: 1, errors: 0 });
    expect(Object.keys(problems).sort()).toEqual(["gateway", "notifier", "processor"]);
  });

  it("parses the scenarios and refuses unknown ones", () => {
    const o = parseOptions(["--scenarios", "ingest,backlog", "--backlog", "1000"]);
    expect(o !== "help" && [...o.scenarios]).toEqual(["ingest", "backlog"]);
    expect(() => parseOptions(["--scenarios", "ingest,nope"])).toThrow(/nope/);
    expect(() => parseOptions(["--steps", "100,x"])).toThrow(/--steps/);
    const d = parseOptions([]);
    expect(d !== "help" && d.scenarios.has("soak")).toBe(false);
  });

  it("computes a least-squares slope: flat is 0, a ramp is its step", () => {
    expect(slope([5, 5, 5, 5])).toBe(0);
    expect(slope([1, 2, 3, 4])).toBeCloseTo(1);
    expect(slope([4, 3, 2, 1])).toBeCloseTo(-1);
  });

  it("chooses round ticks covering the maximum", () => {
    expect(niceTicks(2000)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(niceTicks(930).at(-1)).toBeGreaterThanOrEqual(930);
  });

  it("renders one bar per figure and one point per percentile for each step", () => {
    const svg = renderChart("t <&>", [
      {
        label: "100/s",
        target: 100,
        accepted: 99,
        delivered: 98,
        acceptLatency: p(1),
        deliveryLatency: p(10),
      },
      {
        label: "500/s",
        target: 500,
        accepted: 480,
        delivered: 470,
        acceptLatency: p(2),
        deliveryLatency: p(40),
      },
    ]);
    expect(svg).toContain("<title>t &lt;&amp;></title>");
    expect(svg.match(/class="bar"/g)).toHaveLength(6);
    expect(svg.match(/<circle /g)).toHaveLength(2 * 3 * 2);
  });
});
