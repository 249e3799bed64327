import { appendFileSync } from "node:fs";
import { inject } from "vitest";

/** One line of the results table. */
export interface CaseRow {
  /** Case number, 1–11: the table's order. */
  order: number;
  name: string;
  scale: string;
  attempted: number;
  accepted: number;
  answers503: number;
  /** Other non-202 answers, e.g. `none×3 500×1` ("none": refused, reset or timed out). */
  otherAnswers: string;
  stored: number;
  recovered: number;
  lost: number;
  unexpected: number;
  duplicateEvents: number;
  deliveriesExpected: number;
  delivered: number;
  duplicateDeliveries: number;
  deadLetters: number;
  /** From the end of the load to a settled pipeline. */
  drainMs: number;
  durationMs: number;
  passed: boolean;
  notes: string[];
}

declare module "vitest" {
  export interface ProvidedContext {
    /** JSON-lines file the cases append their row to; the global teardown prints the table. */
    faultResultsFile: string;
  }
}

/** Appends a case's row for the end-of-run table. */
export function recordRow(row: CaseRow): void {
  appendFileSync(inject("faultResultsFile"), `${JSON.stringify(row)}\n`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The results as a markdown table, then each case's notes. */
export function markdownTable(rows: CaseRow[]): string {
  const sorted = [...rows].sort((a, b) => a.order - b.order);
  const header = [
    "#",
    "case",
    "attempted",
    "accepted (202)",
    "503s",
    "other answers",
    "stored",
    "recovered",
    "lost",
    "unexpected",
    "duplicate events",
    "deliveries expected",
    "delivered",
    "duplicate deliveries",
    "dead letters",
    "drain",
    "duration",
    "result",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`];
  for (const r of sorted) {
    const cells = [
      r.order,
      r.name,
      r.attempted,
      r.accepted,
      r.answers503,
      r.otherAnswers || "–",
      r.stored,
      r.recovered,
      r.lost,
      r.unexpected,
      r.duplicateEvents,
      r.deliveriesExpected,
      r.delivered,
      r.duplicateDeliveries,
      r.deadLetters,
      seconds(r.drainMs),
      seconds(r.durationMs),
      r.passed ? "pass" : "**FAIL**",
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const notes = sorted
    .filter((r) => r.notes.length > 0)
    .map((r) => `- **${r.order}. ${r.name}**: ${r.notes.join("; ")}`);
  return [
    lines.join("\n"),
    ...(notes.length > 0 ? ["", "Notes (what each case observed):", "", ...notes] : []),
  ].join("\n");
}
