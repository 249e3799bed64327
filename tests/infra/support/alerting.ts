import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort } from "../../support/ports.js";
import { type Child, startChild, waitUntil } from "./processes.js";
import { filesIn, RULES_DIR, type RuleFile, readYaml } from "./repo.js";
import { findTool, runTool } from "./tools.js";

/**
 * The fire drill's overlay of the repository's alerting configs, and Debian's prometheus and
 * alertmanager run with it on free ports of 127.0.0.1.
 *
 * Time is compressed by SPEEDUP: one minute of the repository's rules is one second here. The
 * drill's copy of the rules (written to a temporary file, never to infra/) divides every `for:`
 * and every range and offset in an expression by SPEEDUP, and changes nothing else: the same
 * alerts, expressions, thresholds, labels and annotations. Prometheus scrapes and evaluates
 * every second; Alertmanager keeps the repository's routes, receivers and inhibitions, groups
 * for 1 s, and its webhooks point at the test's receiver.
 */
export const SPEEDUP = 60;
// Fewer samples than this make rate() and deriv() unreliable at a 1 s scrape.
const MIN_RANGE_SECONDS = 5;

const UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|[smhdwy])/g))
    total += Number(n) * (UNITS[unit ?? "s"] ?? 1);
  return total;
}

function compress(duration: string, min: number): string {
  return `${Math.max(min, Math.round(seconds(duration) / SPEEDUP))}s`;
}

/** A rule file with the repository's rules on the drill's clock. */
export function drillRules(): RuleFile {
  const durations = /\[((?:\d+(?:ms|[smhdwy]))+)\]|\boffset\s+((?:\d+(?:ms|[smhdwy]))+)/g;
  return {
    groups: filesIn(RULES_DIR, ".yml").flatMap((file) =>
      readYaml<RuleFile>(file).groups.map((group) => ({
        ...group,
        rules: group.rules.map((rule) => ({
          ...rule,
          expr: rule.expr.replace(durations, (_whole, range?: string, offset?: string) =>
            range
              ? `[${compress(range, MIN_RANGE_SECONDS)}]`
              : `offset ${compress(offset ?? "0s", MIN_RANGE_SECONDS)}`,
          ),
          ...(rule.for ? { for: compress(rule.for, 1) } : {}),
        })),
      })),
    ),
  };
}

interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
}

interface AlertmanagerConfig {
  route: { group_wait?: string; group_interval?: string; routes?: AlertmanagerConfig["route"][] };
  receivers: Array<{
    name: string;
    webhook_configs?: Array<{
      url: string;
      http_config?: { authorization?: { credentials_file?: string } };
    }>;
  }>;
}

function drillRoute(route: AlertmanagerConfig["route"]): AlertmanagerConfig["route"] {
  return {
    ...route,
    ...(route.group_wait ? { group_wait: "1s" } : {}),
    ...(route.group_interval ? { group_interval: "1s" } : {}),
    ...(route.routes ? { routes: route.routes.map(drillRoute) } : {}),
  };
}

export interface Alerting {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The bearer token the drill's Alertmanager sends on the gateway leg. */
  token: string;
  /** Instant query; the result's samples. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/** Starts alertmanager and prometheus, scraping `targets` (job name → port on 127.0.0.1). */
export async function startAlerting(options: {
  targets: Partial<Record<string, number>>;
  receiverUrl: string;
}): Promise<Alerting> {
  const dir = mkdtempSync(join(tmpdir(), "hookrail-drill-alerting-"));
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop("SIGTERM", 5_000)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const token = "drill-token";
    writeFileSync(join(dir, "token"), `${token}\n`);
    const rulesFile = join(dir, "drill-rules.yml");
    writeFileSync(rulesFile, stringify(drillRules()));
    const check = runTool("promtool", ["check", "rules", rulesFile]);
    if (check.code !== 0) throw new Error(`the drill's rules are invalid:\n${check.output}`);

    const amPort = await freePort();
    const am = readYaml<AlertmanagerConfig>("infra/alertmanager/alertmanager.yml");
    am.route = drillRoute(am.route);
    let leg = 0;
    for (const receiver of am.receivers)
      for (const hook of receiver.webhook_configs ?? []) {
        // Each leg keeps its path, so the receiver can tell the sink from the gateway.
        hook.url = `${options.receiverUrl}/leg${leg++}${new URL(hook.url).pathname}`;
        if (hook.http_config?.authorization?.credentials_file)
          hook.http_config.authorization.credentials_file = join(dir, "token");
      }
    writeFileSync(join(dir, "alertmanager.yml"), stringify(am));
    const alertmanager = startChild(
      findTool("alertmanager"),
      [
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${join(dir, "alertmanager-data")}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        "--cluster.listen-address=",
        "--log.level=warn",
      ],
      "alertmanager",
    );
    children.push(alertmanager);

    const prometheus = readYaml<PrometheusConfig>("infra/prometheus/prometheus.yml");
    const jobs = new Set(prometheus.scrape_configs.map((j) => j.job_name));
    for (const job of Object.keys(options.targets))
      if (!jobs.has(job)) throw new Error(`infra/prometheus/prometheus.yml has no job ${job}`);
    const promPort = await freePort();
    const overlay: PrometheusConfig = {
      ...prometheus,
      global: {
        ...prometheus.global,
        scrape_interval: "1s",
        scrape_timeout: "1s",
        evaluation_interval: "1s",
      },
      rule_files: [rulesFile],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: prometheus.scrape_configs
        .filter((j) => j.job_name in options.targets)
        .map((j) => ({
          ...j,
          static_configs: [{ targets: [`127.0.0.1:${options.targets[j.job_name]}`] }],
        })),
    };
    writeFileSync(join(dir, "prometheus.yml"), stringify(overlay));
    const server = startChild(
      findTool("prometheus"),
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "prometheus-data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--log.level=warn",
      ],
      "prometheus",
    );
    children.push(server);

    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    for (const [url, child] of [
      [alertmanagerUrl, alertmanager],
      [prometheusUrl, server],
    ] as const)
      await waitUntil(
        async () => (await fetch(`${url}/-/ready`)).ok,
        `${url}/-/ready`,
        20_000,
        () => child.lines.join("\n"),
      );
    return {
      prometheusUrl,
      alertmanagerUrl,
      token,
      query: async (expr) => {
        const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const body = (await res.json()) as {
          data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        };
        return body.data.result;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
