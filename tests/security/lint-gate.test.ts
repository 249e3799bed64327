import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The security lint gate (`pnpm lint:security`, eslint.config.js) must be able to fail, and every
// exception in the code must say why. ESLint runs in a child process: its config registers a
// module hook (classic TypeScript for the parser) that must not leak into the test worker.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ESLINT = join(ROOT, "node_modules/.bin/eslint");

const PROBE = `import { exec } from "node:child_process";
import { readFileSync } from "node:fs";
export function probe(input: string, secret: string, token: string, bag: Record<string, unknown>) {
  const re = new RegExp(input);
  if (token === secret) exec(input);
  eval(input);
  const n = Math.random();
  const b = Buffer.allocUnsafe(10);
  readFileSync(input);
  const unsafe = /^(a+)+$/;
  // eslint-disable-next-line security/detect-object-injection -- nothing to suppress on the next line
  const fine = 1;
  const typed: Map<string, number> = new Map();
  const u = new URL("http://example.com/insecure");
  return { re, n, b, unsafe, fine, typed, u, v: bag[input] satisfies unknown };
}
`;

function lint(code: string, filename: string) {
  const run = spawnSync(ESLINT, ["--stdin", "--stdin-filename", filename, "-f", "json"], {
    cwd: ROOT,
    input: code,
    encoding: "utf8",
  });
  const [result] = JSON.parse(run.stdout) as {
    messages: { ruleId: string | null; message: string; fatal?: boolean }[];
  }[];
  return { status: run.status, messages: result?.messages ?? [] };
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => /\/(packages|services)\/[^/]+\/src\//.test(f) && !f.includes("node_modules"));
}

describe("the security lint gate", () => {
  it("reports each kind of finding, parses TypeScript, and flags a stale exception", () => {
    const { status, messages } = lint(PROBE, "packages/probe/src/probe.ts");
    expect(status).toBe(1);
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    const rules = new Set(
      messages.map(
        (m) => m.ruleId ?? m.message.replace(/^(Unused eslint-disable directive).*/s, "$1"),
      ),
    );
    for (const rule of [
      "security/detect-non-literal-regexp",
      "security/detect-possible-timing-attacks",
      "security/detect-child-process",
      "security/detect-eval-with-expression",
      "security/detect-non-literal-fs-filename",
      "security/detect-unsafe-regex",
      "security/detect-object-injection",
      "no-eval",
      "@microsoft/sdl/no-insecure-random",
      "@microsoft/sdl/no-unsafe-alloc",
      "@microsoft/sdl/no-insecure-url",
      "Unused eslint-disable directive",
    ]) {
      expect(rules, rule).toContain(rule);
    }
  });

  it("runs security rules only: code Biome would complain about passes", () => {
    const { status, messages } = lint(
      "var x = 1\nlet   y=x ; console.log( y )\n",
      "services/probe/src/style.ts",
    );
    expect(messages).toEqual([]);
    expect(status).toBe(0);
  });

  it("every exception in packages/ and services/ names a security rule and says why", () => {
    const bad: string[] = [];
    let exceptions = 0;
    for (const file of [...sources(join(ROOT, "packages")), ...sources(join(ROOT, "services"))]) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const m =
            /eslint-disable(?:-next-line|-line)?\s+([^*]*?)(?:\s+--\s+(.*?))?\s*(?:\*\/)?$/.exec(
              line,
            );
          if (!m) return;
          exceptions += 1;
          const rules = (m[1] ?? "").split(/[,\s]+/).filter(Boolean);
          const why = m[2] ?? "";
          const where = `${relative(ROOT, file)}:${i + 1}`;
          if (rules.length === 0) bad.push(`${where}: disables every rule`);
          for (const rule of rules)
            if (!/^(security|@microsoft\/sdl)\//.test(rule))
              bad.push(`${where}: ${rule} is not a security rule`);
          if (why.trim().length < 20) bad.push(`${where}: no justification after --`);
        });
    }
    console.log(`lint gate: ${exceptions} justified exceptions in packages/ and services/`);
    expect(bad).toEqual([]);
  });
});
