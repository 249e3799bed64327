import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BenchResults } from "./report.js";

// CI runs the benchmark's smoke: seconds, every scenario but the soak, small counts. It asserts
// only that the runner runs, measures each scenario and reports; figures are not tested here
// (they live in docs/performance.md, from full runs).
describe("pnpm bench --smoke", () => {
  it("runs every scenario and writes its results, targets table and chart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hookrail-bench-smoke-"));
    const out = join(dir, "results.json");
    const { code, stdout, stderr } = await run(["--smoke", "--out", out]);
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(stdout).toContain("checks: every 202 delivered PASS");
    const r = JSON.parse(await readFile(out, "utf8")) as BenchResults;
    expect(r.ingest?.comparison.targets.map((t) => t.name)).toEqual([
      "express+publish",
      "gateway",
      "gateway, every trace kept",
      "gateway, telemetry off",
    ]);
    for (const t of r.ingest?.comparison.targets ?? []) expect(t.accepted).toBeGreaterThan(0);
    expect(r.ingest?.ceilings.publishes.count).toBeGreaterThan(0);
    expect(r.ingest?.ceilings.inserts.count).toBeGreaterThan(0);
    expect(r.steps?.map((s) => s.name)).toEqual(["step-20", "step-50"]);
    expect(r.e2e?.phase.accepted).toBeGreaterThan(0);
    expect(Object.keys(r.e2e?.memory ?? {}).sort()).toEqual(["gateway", "notifier", "processor"]);
    expect(r.backlog?.drain.events).toBeGreaterThanOrEqual(300);
    expect(r.targets.map((t) => t.figure)).toHaveLength(7);
    const svg = await readFile(out.replace(/\.json$/, ".svg"), "utf8");
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("step");
  }, 180_000);
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "run.mjs"), ...args], {
      // `pnpm test` built the packages already.
      env: { ...process.env, HOOKRAIL_SKIP_BUILD: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
