import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// The regular expressions the security lint calls unsafe (star height > 1) and the code keeps,
// each with a `security/detect-unsafe-regex` exception: read from the source next to that
// exception, and run against long adversarial inputs. Catastrophic backtracking shows up as
// seconds (or a hang) on 20,000 characters; a linear regex takes well under a millisecond.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LIMIT_MS = 100;

/** The regex literal on `line`: from its opening `/` to the closing one, with its flags. */
function regexOn(line: string): RegExp | undefined {
  const start = line.search(/\/\^/);
  if (start < 0) return undefined;
  let inClass = false;
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i];
    if (c === "\\") i++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      const flags = /^[a-z]*/.exec(line.slice(i + 1))?.[0] ?? "";
      return new RegExp(line.slice(start + 1, i), flags);
    }
  }
  return undefined;
}

function flaggedRegexes(): { where: string; regex: RegExp }[] {
  const found: { where: string; regex: RegExp }[] = [];
  for (const top of ["packages", "services"]) {
    for (const e of readdirSync(join(ROOT, top), { withFileTypes: true, recursive: true })) {
      const file = join(e.parentPath, e.name);
      if (
        !e.isFile() ||
        !file.endsWith(".ts") ||
        file.includes("node_modules") ||
        !file.includes("/src/")
      )
        continue;
      const lines = readFileSync(file, "utf8").split("\n");
      lines.forEach((line, i) => {
        if (!line.includes("eslint-disable-next-line security/detect-unsafe-regex")) return;
        const regex = regexOn(lines[i + 1] ?? "");
        const where = `${relative(ROOT, file)}:${i + 2}`;
        if (!regex) throw new Error(`${where}: no regex literal after the exception`);
        found.push({ where, regex });
      });
    }
  }
  return found;
}

/** Inputs that make backtracking regexes blow up: long runs of what they match, then a misfit. */
function attacks(regex: RegExp): string[] {
  const chars = [...new Set(`${regex.source.replace(/\\[dws]/g, "")}a0.-+/=_ \t;:x`)].filter(
    (c) => c >= " " || c === "\t",
  );
  const prefixes = ["", "application/", "a", "1", "*", "2024"];
  const out: string[] = [];
  for (const p of prefixes)
    for (const c of chars)
      for (const pump of [c, `${c}a`, `a${c}`, `${c}0`])
        out.push(`${p}${pump.repeat(20_000 / pump.length)}!`);
  return out;
}

describe("regexes kept despite detect-unsafe-regex", () => {
  const flagged = flaggedRegexes();

  it("are found next to their exceptions", () => {
    console.log(
      `regex safety: ${flagged.length} regexes: ${flagged.map((f) => f.where).join(", ")}`,
    );
    expect(flagged.length).toBeGreaterThan(0);
  });

  it.each(flagged.map((f) => [f.where, f.regex] as const))(
    "%s runs in linear time",
    (_where, regex) => {
      let worst = 0;
      for (const input of attacks(regex)) {
        const started = performance.now();
        regex.exec(input);
        worst = Math.max(worst, performance.now() - started);
      }
      fc.assert(
        fc.property(
          fc.string({
            unit: fc.constantFrom(..."aA0.-+/=_ \t;:*,/"),
            minLength: 5_000,
            maxLength: 20_000,
          }),
          (input) => {
            const started = performance.now();
            regex.exec(input);
            worst = Math.max(worst, performance.now() - started);
          },
        ),
        { numRuns: 50 },
      );
      expect(worst).toBeLessThan(LIMIT_MS);
    },
  );
});
