import { createHmac, randomUUID } from "node:crypto";
import { type ServiceProcess, spawnService } from "@hookrail/launcher";
import { signAs } from "@hookrail/signatures";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { freePort } from "../support/ports.js";
import { parsePrometheusText } from "../support/prometheus-text.js";
import { eventually, startSubscriber } from "../support/subscriber.js";

// The symptoms of docs/troubleshooting.md that no other test reproduces, each shown as the guide
// describes it: the 401 problem bodies of a wrong secret, a re-serialised body and a skewed
// clock; queries waiting for a Postgres pool connection; a backup agent whose backups fail and
// so go stale; resident memory that grows outside the V8 heap; and ids in logs without traces.

let cluster: Cluster;
let api: ReturnType<typeof apiClient>;
let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
const extra: ServiceProcess[] = [];

beforeAll(async () => {
  subscriber = await startSubscriber();
  cluster = await startCluster({
    services: ["gateway", "processor", "notifier", "backup-agent"],
    env: {
      // A pool of two: two blocked queries fill it, the third waits.
      DATABASE_POOL_SIZE: "2",
      // No pg_dump where the agent looks: every backup fails.
      PG_BIN_DIR: "/nonexistent/postgresql/bin",
      BACKUP_DIR: `/tmp/hookrail-docs-backups-${randomUUID()}`,
      BACKUP_RETRY_AFTER: "1h",
    },
  });
  api = apiClient(cluster.gatewayUrl, cluster.adminKey);
}, 120_000);

afterAll(async () => {
  await Promise.all(extra.map((p) => p.stop()));
  await cluster?.destroy();
  await subscriber?.close();
});

async function metrics(port: number) {
  return parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
}
const sample = (m: ReturnType<typeof parsePrometheusText>, name: string) =>
  m.samples.find((s) => s.name === name)?.value;

async function githubSource(secret: string): Promise<string> {
  const res = await api.post<{ id: string }>("/api/v1/sources", {
    name: "docs",
    provider: "github",
    secret,
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe("signature mismatches: 401 problem+json with a reason", () => {
  it("a wrong secret: 401, reason bad_signature, counted as bad_signature", async () => {
    const sourceId = await githubSource("the-right-secret");
    const body = '{"action":"opened","number":1}';
    const headers = signAs("github", {
      body,
      secret: "a-wrong-secret",
      now: new Date(),
      deliveryId: randomUUID(),
      eventType: "push",
    });
    const res = await api.call("POST", `/api/v1/webhooks/${sourceId}`, { body, headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.body).toMatchObject({ status: 401, reason: "bad_signature" });
    expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    const m = await metrics(cluster.opsPorts.gateway);
    expect(
      m.samples.some(
        (s) =>
          s.name === "hookrail_webhooks_received_total" &&
          s.labels.outcome === "bad_signature" &&
          s.value >= 1,
      ),
    ).toBe(true);
  });

  it("a body re-serialised after signing (same JSON, other bytes): 401 bad_signature", async () => {
    const secret = "raw-body-secret";
    const sourceId = await githubSource(secret);
    const signed = '{"action":"opened","number":1}';
    const sig = createHmac("sha256", secret).update(signed).digest("hex");
    const sent = JSON.stringify(JSON.parse(signed), null, 2); // what a framework re-encodes
    const post = (body: string) =>
      api.call("POST", `/api/v1/webhooks/${sourceId}`, {
        body,
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": `sha256=${sig}`,
          "x-github-delivery": randomUUID(),
          "x-github-event": "push",
        },
      });
    const res = await post(sent);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ reason: "bad_signature" });
    // The same bytes that were signed pass.
    const ok = await post(signed);
    expect(ok.status).toBe(202);
  });

  it("a sender clock 10 minutes off (standard-webhooks): 401, reason stale_timestamp", async () => {
    const res0 = await api.post<{ id: string; secret: string }>("/api/v1/sources", {
      name: "docs sw",
      provider: "standard-webhooks",
    });
    expect(res0.status).toBe(201);
    const body = JSON.stringify({ type: "invoice.paid", id: 1 });
    const skewed = new Date(Date.now() - 10 * 60_000);
    const headers = signAs("standard-webhooks", {
      body,
      secret: res0.body.secret,
      now: skewed,
      deliveryId: `msg_${randomUUID()}`,
      eventType: "invoice.paid",
    });
    const res = await api.call("POST", `/api/v1/webhooks/${res0.body.id}`, { body, headers });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, reason: "stale_timestamp" });
    const m = await metrics(cluster.opsPorts.gateway);
    expect(
      m.samples.some(
        (s) =>
          s.name === "hookrail_webhooks_received_total" && s.labels.outcome === "stale_timestamp",
      ),
    ).toBe(true);
  });
});

describe("Postgres pool exhaustion", () => {
  it("queries blocked on a lock fill the pool: hookrail_db_pool_waiting > 0, then 0 again", async () => {
    const locker = new pg.Client({ connectionString: cluster.databaseUrl });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table sources in access exclusive mode");
      const pending = [1, 2, 3, 4].map(() => api.get("/api/v1/sources"));
      await eventually(
        async () =>
          (sample(await metrics(cluster.opsPorts.gateway), "hookrail_db_pool_waiting") ?? 0) > 0,
        "hookrail_db_pool_waiting > 0 on the gateway",
        10_000,
      );
      const sessions = await locker.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'hookrail-gateway' and wait_event_type = 'Lock'",
      );
      expect(sessions.rows[0].n).toBeGreaterThanOrEqual(1);
      await locker.query("rollback");
      for (const res of await Promise.all(pending)) expect(res.status).toBe(200);
      await eventually(
        async () =>
          sample(await metrics(cluster.opsPorts.gateway), "hookrail_db_pool_waiting") === 0,
        "hookrail_db_pool_waiting back to 0",
        10_000,
      );
    } finally {
      await locker.end();
    }
  });
});

describe("a stale backup", () => {
  it("backups that fail leave hookrail_backup_last_success_timestamp at 0 and say why", async () => {
    const port = cluster.opsPorts["backup-agent"];
    await eventually(
      async () => (cluster.logs.get("backup-agent") ?? []).some((l) => /backup failed/i.test(l)),
      "the agent to log a failed backup",
      30_000,
    );
    const m = await metrics(port);
    expect(sample(m, "hookrail_backup_last_success_timestamp")).toBe(0);
    const lines = (cluster.logs.get("backup-agent") ?? []).join("\n");
    expect(lines).toMatch(/pg_dump/);
    // The agent stays ready: a failing backup is an alert, not an outage.
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});

describe("high memory", () => {
  it("memory held outside the V8 heap shows in hookrail_process_memory_rss, not heap_used", async () => {
    const port = await freePort();
    const ballast = "globalThis.ballast = Buffer.alloc(160 * 1024 * 1024, 1);";
    const p = spawnService("processor", {
      env: { ...cluster.env, METRICS_PORT: String(port) },
      opsPort: port,
      nodeArgs: ["--import", `data:text/javascript,${encodeURIComponent(ballast)}`],
    });
    extra.push(p);
    await p.ready();
    const m = await metrics(port);
    const rss = sample(m, "hookrail_process_memory_rss") ?? 0;
    const heap = sample(m, "hookrail_process_memory_heap_used") ?? 0;
    expect(rss).toBeGreaterThan(160 * 1024 * 1024);
    expect(heap).toBeLessThan(rss / 2);
  });
});

describe("missing traces", () => {
  it("without OTEL_EXPORTER_OTLP_ENDPOINT the ids are in logs and the timeline, but no exporter runs", async () => {
    expect(cluster.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    const sourceId = await githubSource("trace-secret");
    const sub = await api.post("/api/v1/subscriptions", {
      url: subscriber.url,
      eventTypes: ["*"],
      sourceIds: [sourceId],
    });
    expect(sub.status).toBe(201);
    const body = '{"action":"opened"}';
    const headers = signAs("github", {
      body,
      secret: "trace-secret",
      now: new Date(),
      deliveryId: randomUUID(),
      eventType: "push",
    });
    const res = await api.call<{ id: string; requestId: string }>(
      "POST",
      `/api/v1/webhooks/${sourceId}`,
      { body, headers },
    );
    expect(res.status).toBe(202);
    let traceId = "";
    await eventually(async () => {
      const t = await api.get<{ traceId?: string }>(`/api/v1/events/${res.body.id}`);
      traceId = t.body.traceId ?? "";
      return t.status === 200 && /^[0-9a-f]{32}$/.test(traceId);
    }, "the timeline's traceId");
    // The notifier logs the delivery attempt with both ids: what one would search Jaeger for.
    await eventually(
      () =>
        (cluster.logs.get("notifier") ?? []).some(
          (l) => l.includes(res.body.requestId) && l.includes(traceId),
        ),
      "a notifier log line with the request id and the trace id",
    );
  });
});
