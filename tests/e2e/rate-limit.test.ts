import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { openDatabase } from "@hookrail/event-store";
import { spawnService } from "@hookrail/launcher";
import { signAs } from "@hookrail/signatures";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
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
/** A third replica behind one (pretend) reverse proxy: TRUST_PROXY=1. */
let proxied: ReturnType<typeof spawnService>;
let proxiedUrl: string;
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
  const [port3, ops3] = [await freePort(), await freePort()];
  proxied = spawnService("gateway", {
    env: { ...cluster.env, PORT: String(port3), METRICS_PORT: String(ops3), TRUST_PROXY: "1" },
    opsPort: ops3,
  });
  await Promise.all([second.ready(), proxied.ready()]);
  secondUrl = `http://127.0.0.1:${port}`;
  proxiedUrl = `http://127.0.0.1:${port3}`;
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
  await proxied?.stop();
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

const WRONG_KEY = "hr_wrong-key-wrong-key-wrong";

/** GET /api/v1/events?limit=1 with `key`, as the client a proxy forwarded for (if any). */
async function asClient(base: string, key: string, forwardedFor?: string) {
  const r = await apiClient(base).call("GET", "/api/v1/events?limit=1", {
    key,
    headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
  });
  return { status: r.status, retryAfter: r.headers.get("retry-after") };
}

/** The next second: the API key's own rate (5 a second here) starts afresh. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
// The throttle counts in fixed one-minute windows: a test whose failures straddle a minute's end
// would see the count start again (a 401 where a 429 is due). Start each well inside a window.
const awayFromMinuteEnd = async () => {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 20));
};

// F-14: the throttle must not lock out operators, and must key on the real client behind a proxy.
describe("the auth-failure throttle (AUTH_FAILURES_PER_MINUTE=5)", () => {
  beforeEach(awayFromMinuteEnd, 15_000);

  it("lets a valid key through while its address is throttled; failures keep answering 429", async () => {
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await asClient(secondUrl, WRONG_KEY)).status);
    expect(codes.at(-1)).toBe(429); // 127.0.0.1 is throttled on this replica (five or more failures)
    await nextSecond();
    expect((await asClient(secondUrl, cluster.adminKey)).status).toBe(200);
    const after = await asClient(secondUrl, WRONG_KEY);
    expect(after.status).toBe(429);
    expect(Number(after.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(after.retryAfter)).toBeLessThanOrEqual(60);
  });

  it("without TRUST_PROXY ignores X-Forwarded-For: a spoofed address does not escape the throttle", async () => {
    for (let i = 0; i < 6; i++) await asClient(secondUrl, WRONG_KEY);
    for (const spoofed of ["198.51.100.77", "203.0.113.9, 198.51.100.78"])
      expect((await asClient(secondUrl, WRONG_KEY, spoofed)).status).toBe(429);
  });

  it("with TRUST_PROXY=1 throttles two forwarded clients independently", async () => {
    const a = "198.51.100.1";
    const b = "198.51.100.2";
    const codesA = [];
    for (let i = 0; i < 7; i++) codesA.push((await asClient(proxiedUrl, WRONG_KEY, a)).status);
    expect(codesA).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another client behind the same proxy (same TCP peer) is not throttled by a's failures.
    expect((await asClient(proxiedUrl, WRONG_KEY, b)).status).toBe(401);
    // One hop is trusted: the proxy appends the peer it saw, so a's own X-Forwarded-For is moot.
    expect((await asClient(proxiedUrl, WRONG_KEY, `${b}, ${a}`)).status).toBe(429);
    await nextSecond();
    expect((await asClient(proxiedUrl, cluster.adminKey, a)).status).toBe(200);
  });
});
