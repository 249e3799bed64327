import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandProblems, ROOT, read, reality } from "./support.js";

// docs/troubleshooting.md: every entry is symptom → confirm → cause → fix, and names the test
// (or fire drill) that reproduces it. Each named file must exist, and each token an entry says
// the test asserts (`(asserts `503`, `nats`)`) must be in that file and cited by the entry.

export interface Entry {
  title: string;
  text: string;
  reproducedBy: { file: string; asserts: string[] }[];
}

/** The `## ` entries of the guide, with what each says reproduces it. */
export function entries(markdown: string): Entry[] {
  return markdown
    .split(/^## /m)
    .slice(1)
    .map((chunk) => {
      const title = chunk.split("\n")[0]?.trim() ?? "";
      const text = chunk.slice(title.length);
      const repro = text.split("**Reproduced by**")[1] ?? "";
      const reproducedBy = [
        ...repro.matchAll(
          /`((?:tests|infra|packages|services)\/[\w./-]+\.[a-z]+)`(?:\s*\(asserts ([^)]*)\))?/g,
        ),
      ].map((m) => ({
        file: m[1] ?? "",
        asserts: [...(m[2] ?? "").matchAll(/`([^`]+)`/g)].map((a) => a[1] ?? ""),
      }));
      return { title, text, reproducedBy };
    });
}

/** Problems with one entry: missing parts, missing files, claims its tests do not hold. */
export function entryProblems(entry: Entry): string[] {
  const problems: string[] = [];
  for (const part of [
    "**Symptom.**",
    "**Confirm.**",
    "**Cause.**",
    "**Fix.**",
    "**Reproduced by**",
  ])
    if (!entry.text.includes(part)) problems.push(`${entry.title}: no ${part}`);
  if (entry.reproducedBy.length === 0) problems.push(`${entry.title}: names no reproducing test`);
  const cited = entry.text.split("**Reproduced by**")[0] ?? "";
  for (const { file, asserts } of entry.reproducedBy) {
    if (!existsSync(join(ROOT, file))) {
      problems.push(`${entry.title}: ${file} does not exist`);
      continue;
    }
    const source = read(file);
    for (const token of asserts) {
      if (!source.includes(token))
        problems.push(`${entry.title}: ${file} does not assert ${token}`);
      if (!cited.includes(token)) problems.push(`${entry.title}: cites no ${token} itself`);
    }
  }
  return problems;
}

const guide = read("docs/troubleshooting.md");
const all = entries(guide);

/** What the issue asks the guide to cover, by a word of each entry's title. */
const REQUIRED = [
  /signature/i,
  /503/,
  /backlog/i,
  /deliveries failing|subscription disabled/i,
  /dead letters/i,
  /pool exhaustion/i,
  /NATS disconnected/i,
  /stale backup/i,
  /high memory/i,
  /missing traces/i,
];

describe("docs/troubleshooting.md", () => {
  it("covers every failure the issue lists", () => {
    for (const pattern of REQUIRED)
      expect(
        all.some((e) => pattern.test(e.title)),
        `no entry for ${pattern}`,
      ).toBe(true);
  });

  it.each(all.map((e) => [e.title, e] as const))(
    "%s: symptom, confirm, cause, fix, and a test that reproduces it",
    (_title, entry) => {
      expect(entryProblems(entry)).toEqual([]);
      // Every entry names at least one reproduction that states what it asserts.
      expect(entry.reproducedBy.some((r) => r.asserts.length > 0)).toBe(true);
    },
  );

  it("names only real scripts, routes, metrics, panels and variables", () => {
    expect(commandProblems(guide, reality())).toEqual([]);
  });

  it("links every runbook it mentions to a file that exists", () => {
    for (const m of guide.matchAll(/\]\((runbooks\/[\w-]+\.md|[\w-]+\.md)\)/g))
      expect(existsSync(join(ROOT, "docs", m[1] ?? "")), m[1]).toBe(true);
  });

  it("fails on an entry whose test is missing or asserts nothing it cites", () => {
    const [bad] = entries(
      [
        "## Made up",
        "**Symptom.** `418` everywhere.",
        "**Confirm.** x **Cause.** y **Fix.** z",
        "**Reproduced by** `tests/docs/no-such.test.ts` (asserts `418`);",
        "`tests/docs/symptoms.test.ts` (asserts `a string not in that file 7f3a`).",
      ].join("\n"),
    );
    const problems = entryProblems(bad as Entry);
    expect(problems.some((p) => /no-such\.test\.ts does not exist/.test(p))).toBe(true);
    expect(problems.some((p) => /does not assert a string not in that file/.test(p))).toBe(true);
    expect(problems.some((p) => /cites no a string not in that file/.test(p))).toBe(true);
  });
});
