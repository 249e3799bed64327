import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commandProblems, filesUnder, ROOT, read, reality } from "./support.js";

// Every alert of infra/prometheus points at its runbook, every runbook says what an on-call
// engineer needs in the same five sections, and every command in a runbook names real things:
// pnpm scripts, gateway routes and ops paths, metrics of docs/observability.md, compose services,
// Grafana panels, configuration variables.

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}
const alerts = filesUnder("infra/prometheus", [".yml", ".yaml"])
  .flatMap((file) => {
    const doc = parse(read(file)) as { groups?: { rules?: Rule[] }[] } | null;
    return (doc?.groups ?? []).flatMap((g) => g.rules ?? []).map((rule) => ({ file, rule }));
  })
  .filter(({ rule }) => rule.alert);
const runbooks = filesUnder("docs/runbooks", [".md"]).filter((f) => basename(f) !== "README.md");
const SECTIONS = ["Meaning", "Impact", "Confirm", "Mitigate", "Recover"];
const real = reality();

describe("alert rules and runbooks", () => {
  it("finds the alert rules", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(13);
  });

  it.each(alerts.map(({ file, rule }) => [rule.alert, file, rule] as const))(
    "%s (%s) has a runbook_url naming an existing docs/runbooks/<file>.md",
    (_name, _file, rule) => {
      const url = rule.annotations?.runbook_url ?? "";
      expect(url).toMatch(/^docs\/runbooks\/[\w-]+\.md$/);
      expect(existsSync(join(ROOT, url)), `${url} does not exist`).toBe(true);
    },
  );

  it("has no runbook without an alert, and an index listing each", () => {
    const targets = new Set(alerts.map(({ rule }) => rule.annotations?.runbook_url));
    const index = read("docs/runbooks/README.md");
    for (const file of runbooks) {
      expect(targets, `${file} belongs to no alert`).toContain(file);
      expect(index).toContain(`](${basename(file)})`);
    }
  });

  it.each(runbooks)("%s has the sections an on-call engineer needs", (file) => {
    const text = read(file);
    const name = basename(file, ".md");
    expect(text).toMatch(new RegExp(`^# ${name}\\b`, "m"));
    for (const section of SECTIONS)
      expect(text, `${file} lacks "## ${section}"`).toMatch(new RegExp(`^## ${section}\\s*$`, "m"));
    for (const section of ["Confirm", "Mitigate", "Recover"]) {
      const body = text.split(new RegExp(`^## ${section}\\s*$`, "m"))[1]?.split(/^## /m)[0] ?? "";
      expect(body, `${file}: "## ${section}" has no command`).toMatch(
        /`[^`]*(curl|pnpm|prom |docker|backup |psql|select )[^`]*`|```/,
      );
    }
  });

  it.each([...runbooks, "docs/runbooks/README.md"])("%s names only real things", (file) => {
    expect(commandProblems(read(file), real)).toEqual([]);
  });
});

describe("the runbook check can fail", () => {
  it("on a made-up script, route, ops path, metric, compose service, panel and variable", () => {
    const bad = [
      "# Nope",
      "- `pnpm projections repair` and `pnpm nosuch`",
      '- `curl -s "$API/api/v1/nothing" -H "authorization: Bearer $KEY"`',
      '- `curl -s -X POST "$API/api/v1/events/<id>"` (a GET route)',
      "- `curl -s localhost:9465/statusz` and `curl -s localhost:9999/x`",
      "- `prom 'rate(hookrail_made_up_total[5m])'`",
      "- `docker compose logs broker`",
      "- Grafana → Hookrail overview → _Imaginary panel_",
      "- raise `PROCESSOR_TURBO_MODE`",
    ].join("\n");
    const problems = commandProblems(bad, real);
    for (const expected of [
      /pnpm projections repair/,
      /pnpm nosuch/,
      /\/api\/v1\/nothing/,
      /POST \/api\/v1\/events\/X/,
      /9465\/statusz/,
      /9999/,
      /hookrail_made_up_total/,
      /compose service/,
      /Imaginary panel/,
      /PROCESSOR_TURBO_MODE/,
    ])
      expect(
        problems.some((p) => expected.test(p)),
        `${expected} in ${problems.join("; ")}`,
      ).toBe(true);
  });
});
