import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { openDatabase } from "@hookrail/event-store";
import { spawnService } from "@hookrail/launcher";
import { signAs } from "@hookrail/signatures";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { freePort } from "../support/ports.js";
import { eventually } from "../support/subscriber.js";

// Limits hold across gateway replicas: two gateways share one Postgres, and together they let
// through no more than the per-source limit (and at least 90% of it when pushed past it).

const LIMIT = 40;
let cluster: Cluster;
let second: ReturnType<typeof spawnService>;
let secondUrl: string;
let source: { id: string; secret: string };

beforeAll(async () => {
  cluster = await startCluster({
    env: {
      RATE_LIMIT_SOURCE_PER_SECOND: String(LIMIT),
      RATE_LIMIT_API_KEY_PER_SECOND: "5",
      AUTH_FAILURES_PER_MINUTE: "5",
    },
  });
  const [port, ops] = [await freePort(), await freePort()];
  second = spawnService("gateway", {
    env: { ...cluster.env, PORT: String(port), METRICS_PORT: String(ops) },
    opsPort: ops,
  });
  await second.ready();
  secondUrl = `http://127.0.0.1:${port}`;
  const api = apiClient(cluster.gatewayUrl, cluster.adminKey);
  source = (
    await api.post<{ id: string; secret: string }>("/api/v1/sources", {
      name: "limited",
      provider: "github",
    })
  ).body;
}, 90_000);

afterAll(async () => {
  await second?.stop();
  await cluster?.destroy();
});

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

async function receivedPerSecond(db: ReturnType<typeof openDatabase>["db"]) {
  const { rows } = await sql<{ second: number; n: number }>`
    SELECT floor(extract(epoch FROM (data->>'receivedAt')::timestamptz))::bigint AS second, count(*)::int AS n
    FROM events WHERE type = 'WebhookReceived' GROUP BY 1`.execute(db);
  return {
    total: rows.reduce((t, r) => t + r.n, 0),
    bySecond: rows.map((r) => [Number(r.second), r.n] as const),
  };
}

function send(base: string): Promise<{ status: number; retryAfter?: string }> {
  const body = JSON.stringify({ n: randomUUID() });
  const headers = {
    ...signAs("github", {
      body,
      secret: source.secret,
      now: new Date(),
      deliveryId: randomUUID(),
      eventType: "push",
    }),
    "content-type": "application/json",
  };
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/api/v1/webhooks/${source.id}`,
      { method: "POST", headers, agent },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers["retry-after"] as string | undefined,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("rate limits", () => {
  it("holds the per-source limit across two gateway replicas, within 10%", async () => {
    // Start at a second boundary, then push ~3x the limit through both replicas for 3 seconds.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const start = Math.floor(Date.now() / 1000);
    const perSecond = new Map<number, number>();
    const statuses = new Map<number, number>();
    const deadline = Date.now() + 2950;
    const worker = async (base: string) => {
      while (Date.now() < deadline) {
        const r = await send(base);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 429) expect(r.retryAfter).toBe("1");
      }
    };
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => worker(i % 2 ? secondUrl : cluster.gatewayUrl)),
    );
    expect(statuses.get(429) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].every((s) => s === 202 || s === 429)).toBe(true);
    // Count by the second in which the gateways accepted each webhook (its receivedAt).
    const accepted = statuses.get(202) ?? 0;
    const store = openDatabase({ url: cluster.databaseUrl, poolSize: 1 });
    try {
      await eventually(
        async () => (await receivedPerSecond(store.db)).total >= accepted,
        `${accepted} webhooks stored`,
        30_000,
      );
      for (const [second, n] of (await receivedPerSecond(store.db)).bySecond)
        perSecond.set(second, n);
    } finally {
      await store.close();
    }
    for (let s = start; s < start + 3; s++) {
      const n = perSecond.get(s) ?? 0;
      expect(n, `second ${s - start}`).toBeLessThanOrEqual(LIMIT);
      expect(n, `second ${s - start}`).toBeGreaterThanOrEqual(LIMIT * 0.9);
    }
  });

  it("limits an API key's rate, and throttles repeated authentication failures", async () => {
    const api = apiClient(cluster.gatewayUrl, cluster.adminKey);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api.get("/api/v1/events?limit=1")),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers.get("retry-after")).toBe("1");
    expect(limited[0]?.headers.get("content-type")).toMatch(/problem\+json/);
    const bad = apiClient(secondUrl, "hr_wrong-key-wrong-key-wrong");
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await bad.get("/api/v1/events")).status);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });
});
