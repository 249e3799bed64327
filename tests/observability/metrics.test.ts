import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { topology } from "@hookrail/contracts";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, NATS_URL, startCluster } from "../support/cluster.js";
import {
  type Exposition,
  metricNames,
  scrape,
  select,
  sumMetric,
} from "../support/prometheus-text.js";
import { eventually, startSubscriber } from "../support/subscriber.js";
import {
  adminApi,
  createSource,
  createSubscription,
  githubWebhook,
  type Source,
  sendWebhook,
} from "./pipeline.js";

// What each service's /metrics shows after known traffic, with values that match it; and the
// health endpoints, including /readyz going 503 while NATS is unreachable and back to 200.

const SERVICES = ["gateway", "processor", "notifier"] as const;
type ServiceName = (typeof SERVICES)[number];
const INGEST_ROUTE = "/api/v1/webhooks/:sourceId";
const ACCEPTED = 5;

const opsUrl = (cluster: Cluster, service: ServiceName, path: string) =>
  `http://127.0.0.1:${cluster.opsPorts[service]}${path}`;

async function getJson(url: string): Promise<{ status: number; type: string; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type") ?? "",
    body: JSON.parse(text),
  };
}

describe("metrics after known traffic", () => {
  let cluster: Cluster;
  let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
  let source: Source;
  const scraped = new Map<ServiceName, Exposition>();

  beforeAll(async () => {
    subscriber = await startSubscriber();
    cluster = await startCluster();
    const api = adminApi(cluster);
    source = await createSource(api);
    await createSubscription(api, subscriber.url);

    const accepted = Array.from({ length: ACCEPTED }, () => githubWebhook(source));
    for (const w of accepted) expect((await sendWebhook(api, w)).status).toBe(202);
    // the first again: the same provider delivery id is a duplicate
    const again = await sendWebhook(api, accepted[0] as (typeof accepted)[0]);
    expect(again.status).toBe(202);
    for (let i = 0; i < 2; i++) {
      const forged = githubWebhook(source, { secret: "not-the-source-secret" });
      expect((await sendWebhook(api, forged)).status).toBe(401);
    }
    const unknown = githubWebhook({ id: "src_doesnotexist", secret: source.secret });
    expect((await sendWebhook(api, unknown)).status).toBe(404);

    // a poison message for the processor: dead-lettered
    const nc = await connect({ servers: NATS_URL });
    try {
      const h = headers();
      h.set("Hookrail-Message-Type", "webhook.received");
      await jetstream(nc).publish(
        topology(cluster.prefix).subjects.webhookReceived(source.id),
        "{}",
        {
          headers: h,
          msgID: randomUUID(),
        },
      );
    } finally {
      await nc.close();
    }

    await eventually(() => subscriber.received.length >= ACCEPTED, `${ACCEPTED} deliveries`);
    // Counters are recorded after the commit that follows each POST: wait until they show.
    await eventually(
      async () => {
        const notifier = await scrape(opsUrl(cluster, "notifier", "/metrics"));
        const processor = await scrape(opsUrl(cluster, "processor", "/metrics"));
        return (
          sumMetric(notifier, "hookrail_delivery_latency_count") >= ACCEPTED &&
          sumMetric(processor, "hookrail_dead_letters_total") >= 1
        );
      },
      "delivery and dead-letter metrics",
      10_000,
    );
    for (const service of SERVICES) {
      scraped.set(service, await scrape(opsUrl(cluster, service, "/metrics")));
    }
    // For docs/observability.md and the Prometheus rules: what each service exposes.
    for (const [service, exposition] of scraped) {
      const lines = metricNames(exposition).map((name) => {
        const labels = new Set<string>();
        for (const s of exposition.samples)
          if (s.name === name || s.name.startsWith(`${name}_`))
            for (const k of Object.keys(s.labels)) if (k !== "le") labels.add(k);
        return `${name} (${exposition.types.get(name)}) {${[...labels].sort().join(",")}}`;
      });
      console.log(`metrics of ${service}:\n  ${lines.join("\n  ")}`);
    }
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
    await subscriber?.close();
  });

  const m = (service: ServiceName) => scraped.get(service) as Exposition;

  it("gateway: webhooks received by outcome", () => {
    const g = m("gateway");
    const received = (outcome: string) =>
      sumMetric(g, "hookrail_webhooks_received_total", { outcome });
    expect(received("accepted")).toBe(ACCEPTED);
    expect(received("duplicate")).toBe(1);
    expect(received("bad_signature")).toBe(2);
    expect(received("unknown_source")).toBe(1);
    expect(sumMetric(g, "hookrail_webhooks_received_total", { source: source.id })).toBe(
      ACCEPTED + 1 + 2,
    );
    expect(g.types.get("hookrail_webhooks_received_total")).toBe("counter");
  });

  it("gateway: HTTP server duration by route and status, ops requests not counted", () => {
    const g = m("gateway");
    const route = { http_route: INGEST_ROUTE };
    expect(sumMetric(g, "http_server_request_duration_count", route)).toBeGreaterThanOrEqual(9);
    const byStatus = (status: string) =>
      sumMetric(g, "http_server_request_duration_count", {
        ...route,
        http_response_status_code: status,
      });
    expect(byStatus("202")).toBe(ACCEPTED + 1);
    expect(byStatus("401")).toBe(2);
    expect(byStatus("404")).toBe(1);
    expect(g.types.get("http_server_request_duration")).toBe("histogram");
    // /metrics, /healthz and /readyz are on the ops port and are not HTTP server metrics
    const routes = new Set(
      select(g, "http_server_request_duration_count").map((s) => s.labels.http_route),
    );
    for (const ops of ["/metrics", "/healthz", "/readyz"]) expect(routes.has(ops)).toBe(false);
  });

  it("processor: batch and append durations, dead letters", () => {
    const p = m("processor");
    expect(
      sumMetric(p, "hookrail_processing_duration_count", { consumer: "processor" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sumMetric(p, "hookrail_event_store_append_duration_count")).toBeGreaterThanOrEqual(1);
    expect(
      sumMetric(p, "hookrail_dead_letters_total", { kind: "pipeline", consumer: "processor" }),
    ).toBe(1);
  });

  it("notifier: deliveries by outcome and attempt, delivery latency", () => {
    const n = m("notifier");
    expect(sumMetric(n, "hookrail_deliveries_total", { outcome: "succeeded", attempt: "1" })).toBe(
      ACCEPTED,
    );
    expect(sumMetric(n, "hookrail_deliveries_total")).toBe(ACCEPTED);
    expect(sumMetric(n, "hookrail_delivery_latency_count")).toBe(ACCEPTED);
    expect(
      sumMetric(n, "hookrail_processing_duration_count", { consumer: "notifier-first" }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("consumer backlog gauges per durable, reported by the consumer and by who feeds it", () => {
    const expected: Record<string, string[]> = {
      gateway: ["processor"],
      processor: ["notifier-first", "notifier-retry", "processor"],
      notifier: ["notifier-first", "notifier-retry"],
    };
    for (const [service, durables] of Object.entries(expected)) {
      const e = m(service as ServiceName);
      for (const name of ["hookrail_consumer_pending", "hookrail_consumer_ack_pending"]) {
        const consumers = select(e, name).map((s) => s.labels.consumer);
        expect(consumers.sort(), `${service} ${name}`).toEqual(durables);
        for (const s of select(e, name)) expect(s.labels.stream).toMatch(/_WEBHOOKS$|_DELIVERIES$/);
      }
      // everything was handled: no backlog
      expect(sumMetric(e, "hookrail_consumer_pending"), service).toBe(0);
    }
  });

  it.each(SERVICES)("%s: NATS, pool and process gauges", (service) => {
    const e = m(service);
    expect(sumMetric(e, "hookrail_nats_connected")).toBe(1);
    expect(select(e, "hookrail_db_pool_connections", { state: "total" })).toHaveLength(1);
    expect(select(e, "hookrail_db_pool_connections", { state: "idle" })).toHaveLength(1);
    expect(select(e, "hookrail_db_pool_waiting")).toHaveLength(1);
    expect(sumMetric(e, "hookrail_process_memory_rss")).toBeGreaterThan(0);
    expect(sumMetric(e, "hookrail_process_memory_heap_used")).toBeGreaterThan(0);
    expect(sumMetric(e, "hookrail_process_cpu_time_total", { mode: "user" })).toBeGreaterThan(0);
    expect(select(e, "hookrail_process_cpu_time_total", { mode: "system" })).toHaveLength(1);
    const loop = select(e, "hookrail_event_loop_delay_p99");
    expect(loop).toHaveLength(1);
    expect(loop[0]?.value).toBeGreaterThanOrEqual(0);
    expect(select(e, "target_info", { service_name: service })).toHaveLength(1);
  });

  it.each(SERVICES)("%s: /healthz and /readyz answer 200 with JSON", async (service) => {
    const health = await getJson(opsUrl(cluster, service, "/healthz"));
    expect(health.status).toBe(200);
    expect(health.type).toMatch(/^application\/json/);
    expect(health.body).toEqual({ status: "ok" });
    const ready = await getJson(opsUrl(cluster, service, "/readyz"));
    expect(ready.status).toBe(200);
    expect(ready.type).toMatch(/^application\/json/);
    expect(ready.body).toMatchObject({
      ready: true,
      checks: expect.arrayContaining([
        { name: "postgres", ok: true },
        { name: "nats", ok: true },
      ]),
    });
  });
});

/**
 * A TCP proxy to NATS that can be cut: while closed it drops every connection and refuses new
 * ones (accepts and destroys them, keeping the port), so clients see NATS as unreachable.
 */
async function startNatsProxy(target = { host: "127.0.0.1", port: 4222 }) {
  const pairs = new Set<[Socket, Socket]>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = tcpConnect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `nats://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

describe("readiness while NATS is unreachable", () => {
  let cluster: Cluster;
  let proxy: Awaited<ReturnType<typeof startNatsProxy>>;

  beforeAll(async () => {
    proxy = await startNatsProxy();
    cluster = await startCluster({ env: { NATS_URL: proxy.url } });
  }, 60_000);

  afterAll(async () => {
    proxy?.restore();
    await cluster?.destroy();
    await proxy?.close();
  });

  const readiness = (service: ServiceName) => getJson(opsUrl(cluster, service, "/readyz"));

  it("answers 503 naming nats when the connection is cut, and 200 again once it is back", async () => {
    for (const service of SERVICES) expect((await readiness(service)).status).toBe(200);

    proxy.cut();
    for (const service of SERVICES) {
      let last: Awaited<ReturnType<typeof readiness>> | undefined;
      await eventually(
        async () => {
          last = await readiness(service);
          return last.status === 503;
        },
        `${service} /readyz 503`,
        8_000,
      );
      expect(last?.type).toMatch(/^application\/json/);
      expect(last?.body).toMatchObject({
        ready: false,
        status: "not ready",
        checks: expect.arrayContaining([
          { name: "postgres", ok: true },
          { name: "nats", ok: false, reason: expect.any(String) },
        ]),
      });
      // /healthz is about the process, not its dependencies
      expect((await getJson(opsUrl(cluster, service, "/healthz"))).status).toBe(200);
    }

    proxy.restore();
    for (const service of SERVICES) {
      await eventually(
        async () => (await readiness(service)).status === 200,
        `${service} /readyz 200 again`,
        8_000,
      );
    }
    // the reconnection is counted, and the connection gauge is back to 1
    for (const service of SERVICES) {
      await eventually(
        async () => {
          const e = await scrape(opsUrl(cluster, service, "/metrics"));
          return (
            sumMetric(e, "hookrail_nats_reconnects_total") >= 1 &&
            sumMetric(e, "hookrail_nats_connected") === 1
          );
        },
        `${service} hookrail_nats_reconnects_total`,
        5_000,
      );
    }
  }, 45_000);
});
