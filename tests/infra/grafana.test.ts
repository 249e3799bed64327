import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCompose } from "./support/compose.js";
import {
  allPanels,
  DASHBOARDS_DIR,
  type Dashboard,
  dashboardExprs,
  filesIn,
  readYaml,
} from "./support/repo.js";

// Grafana's provisioning: datasources on fixed uids and dashboards that parse and use them.

interface Datasources {
  datasources: Array<{
    uid: string;
    type: string;
    url: string;
    jsonData?: { exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid?: string }> };
  }>;
}

const datasources = readYaml<Datasources>(
  "infra/grafana/provisioning/datasources/datasources.yaml",
).datasources;
const dashboards = filesIn(DASHBOARDS_DIR, ".json");

describe("Grafana datasources", () => {
  it("are Prometheus and Jaeger on fixed uids, with exemplars linking to Jaeger", () => {
    const prometheus = datasources.find((d) => d.type === "prometheus");
    const jaeger = datasources.find((d) => d.type === "jaeger");
    expect(prometheus).toMatchObject({ uid: "hookrail-prometheus", url: "http://prometheus:9090" });
    expect(jaeger).toMatchObject({ uid: "hookrail-jaeger", url: "http://jaeger:16686" });
    expect(prometheus?.jsonData?.exemplarTraceIdDestinations).toContainEqual({
      name: "trace_id",
      datasourceUid: "hookrail-jaeger",
    });
  });

  it("load dashboards from where compose.yaml mounts them", () => {
    const provider = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      "infra/grafana/provisioning/dashboards/hookrail.yaml",
    ).providers[0];
    const mounts = loadCompose().services.grafana?.volumes ?? [];
    expect(mounts).toContain(`./infra/grafana/dashboards:${provider?.options.path}:ro`);
  });
});

describe("Grafana dashboards", () => {
  it("exist", () => {
    expect(dashboards.map((f) => basename(f))).toContain("hookrail-overview.json");
  });

  it.each(dashboards.map((f) => [basename(f), f] as const))(
    "%s is valid JSON whose panels query the provisioned datasources",
    (_name, file) => {
      const dashboard = JSON.parse(readFileSync(file, "utf8")) as Dashboard;
      expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.title).toBeTruthy();
      const panels = allPanels(dashboard);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, "panel ids must be unique").toBe(ids.length);
      const uids = new Set(datasources.map((d) => d.uid));
      for (const panel of panels.filter((p) => p.type !== "row")) {
        expect(uids.has(panel.datasource?.uid ?? ""), `${panel.title}: datasource`).toBe(true);
        expect(panel.targets?.length, `${panel.title}: no query`).toBeGreaterThan(0);
        for (const t of panel.targets ?? [])
          expect(t.expr, `${panel.title} ${t.refId}`).toBeTruthy();
      }
      expect(dashboardExprs(dashboard).length).toBeGreaterThan(0);
    },
  );

  it("the overview shows what the issue lists", () => {
    const overview = JSON.parse(
      readFileSync(filesIn(DASHBOARDS_DIR, "hookrail-overview.json")[0] ?? "", "utf8"),
    ) as Dashboard;
    const exprs = dashboardExprs(overview).join("\n");
    for (const metric of [
      "hookrail_webhooks_received_total", // ingest rate by outcome
      "http_server_request_duration_bucket", // HTTP p95 by route
      "hookrail_delivery_latency_bucket", // received → delivered p50/p95/p99
      "hookrail_deliveries_total", // deliveries by outcome
      "hookrail_consumer_pending", // consumer backlog
      "hookrail_dead_letters_total",
      "hookrail_nats_connected",
      "hookrail_db_pool_connections",
      "hookrail_process_memory_rss",
      "hookrail_process_cpu_time_total",
      "hookrail_event_loop_delay_p99",
    ])
      expect(exprs).toContain(metric);
    for (const q of ["0.5", "0.95", "0.99"])
      expect(exprs).toContain(
        `histogram_quantile(${q}, sum by (le) (rate(hookrail_delivery_latency_bucket`,
      );
  });
});
