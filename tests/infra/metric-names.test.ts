import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { topology } from "@hookrail/contracts";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSubscriber } from "../support/subscriber.js";
import { type InfraCluster, startInfraCluster } from "./support/cluster.js";
import { type NatsServer, startNatsServer } from "./support/nats-server.js";
import { selectors } from "./support/promql.js";
import {
  alertRules,
  DASHBOARDS_DIR,
  type Dashboard,
  dashboardExprs,
  filesIn,
  readYaml,
} from "./support/repo.js";
import { createSourceAndSubscription, sendWebhook } from "./support/traffic.js";

// Every metric a rule or a dashboard reads must be one the services really expose: checked
// against a real scrape of the four services after traffic that makes every series appear
// (accepted and refused webhooks, a 503 while NATS is down, deliveries that succeed, are
// retried and fail, a dead letter, a NATS reconnection, a verified backup).

/**
 * Names exposed by processes this test does not run, allowed by name: the exporters of
 * compose.yaml (node exporter node_*, postgres exporter pg_*, NATS exporter gnatsd_* and
 * jetstream_*) and Prometheus's own `up`.
 */
const NOT_SCRAPED_HERE: RegExp[] = [/^node_/, /^pg_/, /^gnatsd_/, /^jetstream_/, /^up$/];
// Labels Prometheus adds at scrape time.
const TARGET_LABELS = new Set(["job", "instance"]);

let nats: NatsServer;
let cluster: InfraCluster;
let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
/** Metric name → label name → the values seen. */
const scraped = new Map<string, Map<string, Set<string>>>();

async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

function record(text: string): void {
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!m?.[1]) continue;
    const labels = scraped.get(m[1]) ?? new Map<string, Set<string>>();
    scraped.set(m[1], labels);
    for (const [, label, value] of (m[3] ?? "").matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      const values = labels.get(label ?? "") ?? new Set<string>();
      labels.set(label ?? "", values);
      values.add(value ?? "");
    }
  }
}

beforeAll(async () => {
  nats = await startNatsServer();
  cluster = await startInfraCluster({
    natsUrl: nats.url,
    services: ["gateway", "processor", "notifier", "backup-agent"],
    // A backup at start, verified by checksums (the quick level): the backup metrics appear.
    env: { BACKUP_INTERVAL: "1h", BACKUP_VERIFY_LEVEL: "1" },
  });
  // Deliveries of webhooks marked "fail" are refused every time: retried, then failed.
  subscriber = await startSubscriber((d) =>
    d.body.toString().includes('"fail":true') ? 500 : 200,
  );
  const source = await createSourceAndSubscription(cluster, subscriber.url);
  for (let i = 0; i < 5; i++) expect(await sendWebhook(cluster.gatewayUrl, source)).toBe(202);
  expect(await sendWebhook(cluster.gatewayUrl, source, { fail: true })).toBe(202);
  expect(await sendWebhook(cluster.gatewayUrl, { ...source, secret: "wrong-secret" })).toBe(401);
  // A poison message (no Hookrail headers): the processor dead-letters it.
  const nc = await connect({ servers: nats.url });
  await jetstream(nc).publish(
    topology(cluster.prefix).subjects.webhookReceived(source.sourceId),
    "{}",
  );
  await nc.close();

  const ports = Object.values(cluster.opsPorts).filter((p) => p !== undefined);
  const all = async () => (await Promise.all(ports.map(scrape))).join("\n");
  await eventually(
    async () => {
      const text = await all();
      return (
        text.includes('outcome="failed"') &&
        text.includes('outcome="succeeded"') &&
        text.includes("hookrail_dead_letters_total") &&
        text.includes("hookrail_backup_duration_count") &&
        /\nhookrail_backup_last_success_timestamp(\{[^}]*\})? [1-9]/.test(text)
      );
    },
    "a failed delivery, a succeeded one, a dead letter and a verified backup",
    30_000,
  );
  // A broker outage: the gateway answers 503 (a 5xx for the error-rate rule), then every
  // service reconnects.
  await nats.kill();
  expect(await sendWebhook(cluster.gatewayUrl, source)).toBe(503);
  await nats.start();
  await eventually(
    async () => (await all()).split("\nhookrail_nats_reconnects_total").length > ports.length,
    "every service to count a NATS reconnection",
    30_000,
  );
  record(await all());
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
  await subscriber?.close();
  await nats?.destroy();
});

const sources = [
  ...alertRules().map((r) => ({ where: `rule ${r.alert}`, expr: r.expr })),
  ...filesIn(DASHBOARDS_DIR, ".json").flatMap((file) =>
    dashboardExprs(JSON.parse(readFileSync(file, "utf8")) as Dashboard).map((expr) => ({
      where: `dashboard ${basename(file)}`,
      expr,
    })),
  ),
];

describe("metric names in rules and dashboards", () => {
  it("the scrape saw the services' own metrics", () => {
    for (const name of [
      "hookrail_webhooks_received_total",
      "hookrail_deliveries_total",
      "hookrail_dead_letters_total",
      "hookrail_nats_reconnects_total",
      "http_server_request_duration_bucket",
      "hookrail_backup_last_success_timestamp",
      "hookrail_backup_last_verification_ok",
    ])
      expect(scraped.has(name), name).toBe(true);
  });

  it("are all exposed by the running services (or allowed by name)", () => {
    const missing = sources.flatMap(({ where, expr }) =>
      selectors(expr)
        .map((s) => s.metric)
        .filter((m) => !scraped.has(m) && !NOT_SCRAPED_HERE.some((re) => re.test(m)))
        .map((m) => `${where}: ${m}`),
    );
    expect(missing).toEqual([]);
  });

  it("match on labels those metrics have, and on values they take", () => {
    const wrong: string[] = [];
    for (const { where, expr } of sources)
      for (const s of selectors(expr)) {
        const labels = scraped.get(s.metric);
        if (!labels) continue;
        for (const m of s.matchers) {
          if (TARGET_LABELS.has(m.label)) continue;
          const values = labels.get(m.label);
          if (!values) wrong.push(`${where}: ${s.metric} has no label ${m.label}`);
          else if (m.op === "=" && !values.has(m.value))
            wrong.push(`${where}: ${s.metric}{${m.label}="${m.value}"} never seen`);
          else if (
            m.op === "=~" &&
            ![...values].some((v) => new RegExp(`^(?:${m.value})$`).test(v))
          )
            wrong.push(`${where}: ${s.metric}{${m.label}=~"${m.value}"} matches nothing seen`);
        }
      }
    expect(wrong).toEqual([]);
  });

  it("select jobs that prometheus.yml scrapes", () => {
    const jobs = new Set(
      readYaml<{ scrape_configs: Array<{ job_name: string }> }>(
        "infra/prometheus/prometheus.yml",
      ).scrape_configs.map((j) => j.job_name),
    );
    for (const { where, expr } of sources)
      for (const s of selectors(expr))
        for (const m of s.matchers.filter((x) => x.label === "job")) {
          const named = m.op === "=" ? [m.value] : m.op === "=~" ? m.value.split("|") : [];
          for (const job of named) expect(jobs.has(job), `${where}: job ${job}`).toBe(true);
        }
  });
});
