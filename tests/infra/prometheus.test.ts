import { existsSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { alertRules, filesIn, ROOT, RULE_TESTS_DIR, RULES_DIR, readYaml } from "./support/repo.js";
import { runTool } from "./support/tools.js";

// The alert rules of infra/prometheus/rules, checked and unit-tested with Debian's promtool.

/** The alerts the production checklist asks for (issue 4), and the ones beyond it. */
const REQUIRED_ALERTS = [
  "HighErrorRate", // error rate above 5% over 5 minutes
  "HighLatency", // p95 above 1 s
  "DatabasePoolExhausted",
  "BrokerDisconnected", // NATS connection failures
  "BrokerReconnecting",
  "WorkerBacklog", // consumer pending above a threshold and not draining
  "LowDiskSpace",
  "HighMemory",
  "ServiceDown",
  "DeadLettersGrowing",
  "DeliveryFailureRatio",
  "BackupStale",
  "BackupVerifyFailed",
];

interface RuleTestFile {
  rule_files: string[];
  tests: Array<{
    name?: string;
    alert_rule_test?: Array<{ alertname: string; eval_time: string; exp_alerts?: unknown[] }>;
  }>;
}

const rules = alertRules();
const ruleTests = filesIn(RULE_TESTS_DIR, ".yml");

describe("promtool", () => {
  it("accepts prometheus.yml, with every rule file it loads", () => {
    const r = runTool("promtool", ["check", "config", "infra/prometheus/prometheus.yml"], ROOT);
    expect(r.code, r.output).toBe(0);
    const ruleFiles = filesIn(RULES_DIR, ".yml").length;
    expect(r.output).toContain(`SUCCESS: ${ruleFiles} rule files found`);
  });

  it("accepts every rule file", () => {
    const files = filesIn(RULES_DIR, ".yml").map((f) => relative(ROOT, f));
    const r = runTool("promtool", ["check", "rules", ...files], ROOT);
    expect(r.code, r.output).toBe(0);
  });

  it("passes every rule unit test (infra/prometheus/tests)", () => {
    const files = ruleTests.map((f) => relative(ROOT, f));
    expect(files.length).toBeGreaterThan(0);
    const r = runTool("promtool", ["test", "rules", ...files], ROOT);
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toMatch(/FAILED/);
  });
});

describe("alert rules", () => {
  it("include every alert of the checklist, each once", () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(REQUIRED_ALERTS));
  });

  it.each(rules.map((r) => [r.alert, r] as const))(
    "%s has a severity, a summary, a description and its runbook",
    (name, rule) => {
      expect(["page", "warn"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.trim()).toBeTruthy();
      expect(rule.annotations?.description?.trim()).toBeTruthy();
      expect(rule.annotations?.runbook_url).toBe(`docs/runbooks/${name}.md`);
      const runbook = join(ROOT, "docs/runbooks", `${name}.md`);
      expect(existsSync(runbook), `${runbook} is missing`).toBe(true);
      const text = readFileSync(runbook, "utf8");
      expect(text).toMatch(new RegExp(`^# ${name}\\b`, "m"));
      for (const section of ["Meaning", "Impact", "Confirm", "Mitigate", "Recover"])
        expect(text, `${name}.md lacks a "## ${section}" section`).toMatch(
          new RegExp(`^## ${section}`, "m"),
        );
    },
  );

  it.each(rules.map((r) => [r.alert] as const))(
    "%s has a unit test where it fires and one where it stays silent",
    (name) => {
      const cases = ruleTests.flatMap((file) =>
        readYaml<RuleTestFile>(file).tests.flatMap((t) =>
          (t.alert_rule_test ?? []).filter((a) => a.alertname === name),
        ),
      );
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length > 0),
        `no test expects ${name} to fire`,
      ).toBe(true);
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length === 0),
        `no test expects ${name} to stay silent`,
      ).toBe(true);
    },
  );

  it("are tested against the rule file they are in", () => {
    for (const file of ruleTests) {
      const loaded = readYaml<RuleTestFile>(file).rule_files.map((f) => basename(f));
      const tested = readYaml<RuleTestFile>(file).tests.flatMap((t) =>
        (t.alert_rule_test ?? []).map((a) => a.alertname),
      );
      for (const name of new Set(tested)) {
        const rule = rules.find((r) => r.alert === name);
        expect(rule, `${basename(file)} tests unknown alert ${name}`).toBeDefined();
        expect(loaded).toContain(basename(rule?.file ?? ""));
      }
    }
  });
});
