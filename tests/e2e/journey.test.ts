import { randomUUID } from "node:crypto";
import type { ProviderName } from "@hookrail/contracts";
import { signAs, verifyWebhook } from "@hookrail/signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { eventually, type ReceivedDelivery, startSubscriber } from "../support/subscriber.js";

// A webhook's whole journey: gateway → JetStream → processor → Postgres → JetStream → notifier
// → subscriber, with every service a separate process on the machine's real NATS and Postgres.

let cluster: Cluster;
let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
let api: ReturnType<typeof apiClient>;
let subscriptionSecret: string;
const sources = new Map<ProviderName, { id: string; secret: string }>();
const PROVIDERS: ProviderName[] = ["github", "stripe", "standard-webhooks", "hmac-sha256"];

beforeAll(async () => {
  cluster = await startCluster();
  api = apiClient(cluster.gatewayUrl, cluster.adminKey);
  subscriber = await startSubscriber();
  for (const provider of PROVIDERS) {
    const options =
      provider === "hmac-sha256"
        ? {
            signatureHeader: "X-Acme-Signature",
            deliveryIdHeader: "X-Acme-Id",
            eventTypeHeader: "X-Acme-Event",
          }
        : undefined;
    const res = await api.post<{ id: string; secret: string }>("/api/v1/sources", {
      name: `${provider} source`,
      provider,
      ...(options ? { options } : {}),
    });
    expect(res.status).toBe(201);
    sources.set(provider, res.body);
  }
  const sub = await api.post<{ id: string; secret: string }>("/api/v1/subscriptions", {
    url: subscriber.url,
    eventTypes: ["*"],
  });
  expect(sub.status).toBe(201);
  subscriptionSecret = sub.body.secret;
}, 90_000);

afterAll(async () => {
  await cluster?.destroy();
  await subscriber?.close();
});

function webhook(
  provider: ProviderName,
  n: number,
  opts: { now?: Date; deliveryId?: string } = {},
) {
  const source = sources.get(provider);
  if (!source) throw new Error(`no ${provider} source`);
  const deliveryId = opts.deliveryId ?? `${provider}-${n}-${randomUUID()}`;
  const payload =
    provider === "stripe"
      ? { id: deliveryId, type: "invoice.paid", n }
      : { type: "order.created", n, nested: { ok: true } };
  const body = JSON.stringify(payload);
  const headers = signAs(provider, {
    body,
    secret: source.secret,
    now: opts.now ?? new Date(),
    deliveryId,
    eventType: provider === "hmac-sha256" ? "order.created" : "push",
    options:
      provider === "hmac-sha256"
        ? {
            signatureHeader: "X-Acme-Signature",
            encoding: "hex",
            deliveryIdHeader: "X-Acme-Id",
            eventTypeHeader: "X-Acme-Event",
          }
        : undefined,
  });
  return {
    sourceId: source.id,
    body,
    headers: { ...headers, "content-type": "application/json" } as Record<string, string>,
    deliveryId,
  };
}

const send = (w: ReturnType<typeof webhook>, path = `/api/v1/webhooks/${w.sourceId}`) =>
  api.call<{ id: string; requestId: string }>("POST", path, {
    body: w.body,
    headers: w.headers,
    key: null,
  });

function expectProblem(res: { status: number; headers: Headers; body: unknown }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const problem = res.body as Record<string, unknown>;
  expect(problem).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:hookrail:problem:/),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(problem.requestId).toBe(res.headers.get("x-request-id"));
}

describe("a webhook's journey", () => {
  const accepted = new Map<string, { body: string }>();

  it("accepts signed webhooks of every provider with 202 after the broker's ack", async () => {
    for (const provider of PROVIDERS) {
      for (let n = 0; n < 3; n++) {
        const w = webhook(provider, n);
        const res = await send(w);
        expect(res.status, `${provider} #${n}: ${res.text}`).toBe(202);
        expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
        accepted.set(res.body.id, { body: w.body });
      }
    }
    expect(accepted.size).toBe(12);
  });

  it("answers a redelivery with the same id and creates nothing new", async () => {
    const w = webhook("github", 99);
    const first = await send(w);
    const again = await send(w);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    accepted.set(first.body.id, { body: w.body });
  });

  it("keeps a sane X-Request-Id and replaces an insane one", async () => {
    const kept = await api.call("POST", `/api/v1/webhooks/${sources.get("github")?.id}`, {
      body: "{}",
      headers: { "content-type": "application/json", "x-request-id": "abc-123.ok" },
      key: null,
    });
    expect(kept.headers.get("x-request-id")).toBe("abc-123.ok");
    const replaced = await api.call("POST", "/api/v1/webhooks/nope", {
      body: "{}",
      headers: { "content-type": "application/json", "x-request-id": "bad id\twith spaces" },
      key: null,
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("rejects bad input with the contract's status and problem+json", async () => {
    const good = webhook("standard-webhooks", 1);
    expectProblem(await send({ ...good, body: good.body.replace("1", "2") }), 401);
    const stale = webhook("stripe", 2, { now: new Date(Date.now() - 10 * 60_000) });
    const staleRes = await send(stale);
    expectProblem(staleRes, 401);
    expect((staleRes.body as Record<string, unknown>).reason).toBe("stale_timestamp");
    expectProblem(await send({ ...good, sourceId: "src_doesnotexist" }), 404);
    expectProblem(
      await api.call("POST", `/api/v1/webhooks/${good.sourceId}`, {
        body: good.body,
        headers: { ...good.headers, "content-type": "text/plain" },
        key: null,
      }),
      415,
    );
    const big = webhook("github", 3);
    const huge = JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) });
    expectProblem(
      await api.call("POST", `/api/v1/webhooks/${big.sourceId}`, {
        body: huge,
        headers: big.headers,
        key: null,
      }),
      413,
    );
  });

  it("takes Alertmanager notifications on a source with a chosen id and a bearer token", async () => {
    const created = await api.post("/api/v1/sources", {
      id: "src_alertmanager",
      name: "alerts",
      provider: "alertmanager",
      secret: "alert-token-123456",
    });
    expect(created.status).toBe(201);
    expectProblem(
      await api.post("/api/v1/sources", {
        id: "src_alertmanager",
        name: "again",
        provider: "alertmanager",
      }),
      409,
    );
    const body = JSON.stringify({
      version: "4",
      status: "firing",
      groupKey: "g",
      alerts: [{ labels: { alertname: "WorkerBacklog" } }],
    });
    const post = (token: string) =>
      api.call<{ id: string }>("POST", "/api/v1/webhooks/src_alertmanager", {
        body,
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        key: null,
      });
    const ok = await post("alert-token-123456");
    expect(ok.status).toBe(202);
    accepted.set(ok.body.id, { body });
    expectProblem(await post("wrong-token-123456"), 401);
  });

  it("keeps the deprecated unversioned alias, with deprecation headers", async () => {
    const w = webhook("github", 7);
    const res = await send(w, `/webhooks/${w.sourceId}`);
    expect(res.status).toBe(202);
    expect(res.headers.get("deprecation")).toMatch(/^@\d+$/);
    expect(res.headers.get("link")).toBe(
      `</api/v1/webhooks/${w.sourceId}>; rel="successor-version"`,
    );
    accepted.set(res.body.id, { body: w.body });
  });

  it("delivers exactly one correctly signed delivery per accepted webhook", async () => {
    await eventually(
      () => subscriber.received.length >= accepted.size,
      `${accepted.size} deliveries`,
    );
    await new Promise((r) => setTimeout(r, 500)); // would-be duplicates have time to arrive
    expect(subscriber.received).toHaveLength(accepted.size);
    const ids = new Set<string>();
    for (const d of subscriber.received) {
      const verified = verifyWebhook({
        provider: "standard-webhooks",
        headers: d.headers as Record<string, string>,
        body: d.body,
        secrets: [subscriptionSecret],
        now: new Date(),
      });
      expect(verified.ok).toBe(true);
      ids.add(String(d.headers["webhook-id"]));
      expect(d.headers["x-request-id"]).toBeTruthy();
    }
    expect(ids.size).toBe(accepted.size);
    const bodies = subscriber.received.map((d: ReceivedDelivery) => d.body.toString("utf8")).sort();
    expect(bodies).toEqual([...accepted.values()].map((a) => a.body).sort());
  });

  it("shows each webhook's timeline from the event store", async () => {
    for (const id of accepted.keys()) {
      await eventually(
        async () =>
          (await api.get<{ status: string }>(`/api/v1/events/${id}`)).body.status === "delivered",
        `webhook ${id} delivered`,
      );
      const res = await api.get<{
        requestId: string;
        timeline: Array<{ type: string; statusCode?: number }>;
      }>(`/api/v1/events/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.requestId).toBeTruthy();
      expect(res.body.timeline.map((e) => e.type)).toEqual([
        "received",
        "persisted",
        "delivery_requested",
        "delivery_attempted",
        "delivered",
      ]);
      expect(res.body.timeline[3]?.statusCode).toBe(200);
    }
    const list = await api.get<{ data: unknown[]; nextCursor: string | null }>(
      "/api/v1/events?limit=5",
    );
    expect(list.body.data).toHaveLength(5);
    const next = await api.get<{ data: Array<{ id: string }> }>(
      `/api/v1/events?limit=5&cursor=${list.body.nextCursor}`,
    );
    expect(next.body.data).toHaveLength(5);
  });

  it("retries a failing subscriber and records every attempt", async () => {
    const flaky = await startSubscriber((_d, i) => (i < 2 ? 503 : 200));
    try {
      const source = sources.get("github");
      await api.post("/api/v1/subscriptions", {
        url: flaky.url,
        eventTypes: ["retry.me"],
        sourceIds: [source?.id],
      });
      const body = JSON.stringify({ retry: true });
      const headers = signAs("github", {
        body,
        secret: source?.secret ?? "",
        now: new Date(),
        deliveryId: randomUUID(),
        eventType: "retry.me",
      });
      const res = await api.call<{ id: string }>("POST", `/api/v1/webhooks/${source?.id}`, {
        body,
        headers: { ...headers, "content-type": "application/json" },
        key: null,
      });
      expect(res.status).toBe(202);
      await eventually(() => flaky.received.length >= 3, "three attempts");
      const id = res.body.id;
      await eventually(
        async () =>
          (await api.get<{ status: string }>(`/api/v1/events/${id}`)).body.status === "delivered",
        "delivered after retries",
      );
      const timeline = (
        await api.get<{ timeline: Array<{ type: string; statusCode?: number }> }>(
          `/api/v1/events/${id}`,
        )
      ).body.timeline;
      const attempts = timeline
        .filter((e) => e.type === "delivery_attempted")
        .map((e) => e.statusCode);
      // The catch-all subscription got it at once; the flaky one failed twice, then took it.
      expect(attempts.sort()).toEqual([200, 200, 503, 503]);
      expect(timeline.filter((e) => e.type === "delivery_retry_scheduled")).toHaveLength(2);
      expect(new Set(flaky.received.map((d) => d.headers["webhook-id"])).size).toBe(1);
    } finally {
      await flaky.close();
    }
  });

  it("replays a webhook as a new delivery, on the timeline", async () => {
    const [id] = [...accepted.keys()];
    const before = subscriber.received.length;
    const res = await api.post<{ replayId: string }>(`/api/v1/events/${id}/replay`, {});
    expect(res.status).toBe(202);
    await eventually(() => subscriber.received.length === before + 1, "the replayed delivery");
    const replayed = subscriber.received[before];
    expect(replayed?.body.toString("utf8")).toBe(accepted.get(String(id))?.body);
    // The notifier records the attempt after the subscriber has answered: wait for it.
    const readTimeline = async () =>
      (
        await api.get<{ timeline: Array<{ type: string }> }>(`/api/v1/events/${id}`)
      ).body.timeline.map((e) => e.type);
    let timeline: string[] = [];
    await eventually(async () => {
      timeline = await readTimeline();
      return timeline.filter((t) => t === "delivered").length >= 2;
    }, "the replayed delivery on the timeline");
    expect(timeline).toContain("replay_requested");
    expect(timeline.filter((t) => t === "delivered")).toHaveLength(2);
    expectProblem(
      await api.post("/api/v1/events/00000000-0000-0000-0000-000000000000/replay", {}),
      404,
    );
  });

  it("guards the admin API with scoped API keys", async () => {
    expectProblem(await api.get("/api/v1/events", null), 401);
    expectProblem(await api.get("/api/v1/events", "hr_not-a-real-key-at-all"), 401);
    const created = await api.post<{ key: string; scopes: string[] }>("/api/v1/api-keys", {
      name: "reader",
      scopes: ["events:read"],
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hr_[A-Za-z0-9_-]{43}$/);
    expect((await api.get("/api/v1/events", created.body.key)).status).toBe(200);
    expectProblem(
      await api.post("/api/v1/sources", { name: "x", provider: "github" }, created.body.key),
      403,
    );
    expectProblem(await api.post("/api/v1/api-keys", { name: "x", scopes: ["nope"] }), 400);
    const expired = await api.post<{ key: string }>("/api/v1/api-keys", {
      name: "old",
      scopes: ["events:read"],
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expectProblem(await api.get("/api/v1/events", expired.body.key), 401);
    const revoked = await api.post<{ id: string; key: string }>("/api/v1/api-keys", {
      name: "gone",
      scopes: ["events:read"],
    });
    expect((await api.get("/api/v1/events", revoked.body.key)).status).toBe(200);
    expect((await api.call("DELETE", `/api/v1/api-keys/${revoked.body.id}`)).status).toBe(204);
    expectProblem(await api.get("/api/v1/events", revoked.body.key), 401);
    const listed = await api.get<{ data: Array<Record<string, unknown>> }>("/api/v1/api-keys");
    expect(JSON.stringify(listed.body)).not.toMatch(/key_hash|keyHash|hr_[A-Za-z0-9_-]{43}/);
    expectProblem(
      await api.post("/api/v1/sources", { name: "x", provider: "github", extra: 1 }),
      400,
    );
    const spec = await api.get<{ openapi: string; paths: Record<string, unknown> }>(
      "/api/v1/openapi.json",
      null,
    );
    expect(spec.body.openapi).toBe("3.1.0");
    expect(Object.keys(spec.body.paths)).toContain("/api/v1/events/{id}/replay");
  });

  it("stores source and subscription secrets sealed, never in plain text", async () => {
    const { sql } = await import("kysely");
    const { openDatabase } = await import("@hookrail/event-store");
    const store = openDatabase({ url: cluster.databaseUrl, poolSize: 1 });
    try {
      const { rows } = await sql<{
        dump: string;
      }>`SELECT string_agg(data::text, ' ') AS dump FROM events`.execute(store.db);
      const dump = rows[0]?.dump ?? "";
      for (const { secret } of sources.values()) expect(dump).not.toContain(secret);
      expect(dump).not.toContain(subscriptionSecret);
      expect(dump).toMatch(/"secret": "enc:v1:/);
      const projected = await store.db.selectFrom("subscriptions").select("secret").execute();
      for (const r of projected) expect(r.secret).toMatch(/^enc:v1:/);
    } finally {
      await store.close();
    }
  });

  it("keeps projections equal to a replay of the event log", async () => {
    const { openDatabase, rebuildProjections } = await import("@hookrail/event-store");
    const store = openDatabase({ url: cluster.databaseUrl, poolSize: 1 });
    try {
      const report = await rebuildProjections(store.db, { commit: false });
      expect(report.tables.find((t) => t.table === "webhooks")?.liveRows).toBeGreaterThan(10);
      expect(report.equal).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("stops every service cleanly on SIGTERM", async () => {
    const codes = await cluster.stop();
    expect(codes).toEqual({ gateway: 0, processor: 0, notifier: 0 });
  });
});
