import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root (tests/infra/support → ../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const INFRA = join(ROOT, "infra");
export const RULES_DIR = join(INFRA, "prometheus/rules");
export const RULE_TESTS_DIR = join(INFRA, "prometheus/tests");
export const DASHBOARDS_DIR = join(INFRA, "grafana/dashboards");

/** Parses a YAML file of the repository, with `<<` merge keys resolved as Compose does. */
export function readYaml<T = unknown>(path: string): T {
  return parse(readFileSync(resolve(ROOT, path), "utf8"), { merge: true }) as T;
}

export function filesIn(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => join(dir, f));
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: Array<{ name: string; rules: AlertRule[] }>;
}

/** Every alerting rule of infra/prometheus/rules, with the file it is in. */
export function alertRules(): Array<AlertRule & { file: string }> {
  return filesIn(RULES_DIR, ".yml").flatMap((file) =>
    readYaml<RuleFile>(file).groups.flatMap((g) =>
      g.rules.filter((r) => r.alert).map((r) => ({ ...r, file })),
    ),
  );
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr?: string; datasource?: { type: string; uid: string } }>;
  panels?: Panel[];
}

/** Every panel of a dashboard, rows' nested panels included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Every PromQL expression a dashboard queries. */
export function dashboardExprs(dashboard: Dashboard): string[] {
  return allPanels(dashboard).flatMap((p) =>
    (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
  );
}
