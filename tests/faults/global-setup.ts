import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type CaseRow, markdownTable } from "./support/report.js";
import { scale } from "./support/scale.js";

/**
 * Gives the cases a results file, and at the end prints every case's row as a markdown table
 * (and writes it to FAULT_REPORT when that is set).
 */
export default function setup(project: TestProject): () => void {
  const file = join(tmpdir(), `hookrail-faults-${process.pid}-${Date.now()}.jsonl`);
  writeFileSync(file, "");
  project.provide("faultResultsFile", file);
  return () => {
    const rows = existsSync(file)
      ? readFileSync(file, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as CaseRow)
      : [];
    rmSync(file, { force: true });
    if (rows.length === 0) return;
    const table = `Fault suite, FAULT_SCALE=${scale.name}, ${scale.ratePerSecond} webhooks/s\n\n${markdownTable(rows)}\n`;
    console.log(`\n${table}`);
    const out = process.env.FAULT_REPORT;
    if (out) writeFileSync(out, table);
  };
}
