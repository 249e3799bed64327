import { randomUUID } from "node:crypto";
import { signAs, verifyWebhook } from "@hookrail/signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { eventually, startSubscriber } from "../support/subscriber.js";

// The delivery policy end to end: 410 disables, pause and resume with a bulk replay, dead-letter
// retry, secret rotation on both sides, the circuit breaker and the SSRF check at registration.

let cluster: Cluster;
let api: ReturnType<typeof apiClient>;
let source: { id: string; secret: string };
type Sub = { id: string; secret: string };

beforeAll(async () => {
  cluster = await startCluster({
    env: {
      CIRCUIT_FAILURE_THRESHOLD: "2",
      CIRCUIT_OPEN: "2s",
      DELIVERY_RETRY_SCHEDULE: "200ms,200ms,200ms,200ms,200ms,200ms",
    },
  });
  api = apiClient(cluster.gatewayUrl, cluster.adminKey);
  source = (
    await api.post<{ id: string; secret: string }>("/api/v1/sources", {
      name: "policy",
      provider: "github",
    })
  ).body;
}, 90_000);

afterAll(async () => {
  await cluster?.destroy();
});

async function subscribe(url: string, eventType: string): Promise<Sub> {
  const res = await api.post<Sub>("/api/v1/subscriptions", {
    url,
    eventTypes: [eventType],
    sourceIds: [source.id],
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function send(
  eventType: string,
  secret = source.secret,
): Promise<{ status: number; id: string }> {
  const body = JSON.stringify({ marker: randomUUID() });
  const headers = signAs("github", {
    body,
    secret,
    now: new Date(),
    deliveryId: randomUUID(),
    eventType,
  });
  const res = await api.call<{ id: string }>("POST", `/api/v1/webhooks/${source.id}`, {
    body,
    headers: { ...headers, "content-type": "application/json" },
    key: null,
  });
  return { status: res.status, id: res.body?.id };
}

const status = async (id: string) =>
  (await api.get<{ status: string }>(`/api/v1/events/${id}`)).body.status;
const subscriptionStatus = async (id: string) =>
  (
    await api.get<{ data: Array<{ id: string; status: string }> }>("/api/v1/subscriptions")
  ).body.data.find((s) => s.id === id)?.status;

describe("delivery policy", () => {
  it("refuses subscription URLs in blocked ranges at registration", async () => {
    for (const url of [
      "http://10.1.2.3/x",
      "http://169.254.169.254/latest",
      "http://[fd00::1]/x",
      "ftp://example.com/x",
    ]) {
      const res = await api.post("/api/v1/subscriptions", { url, eventTypes: ["*"] });
      expect(res.status, url).toBe(400);
    }
  });

  it("disables a subscription whose endpoint answers 410, keeps its webhooks, and delivers them again after resume", async () => {
    let gone = true;
    const endpoint = await startSubscriber(() => (gone ? 410 : 200));
    try {
      const sub = await subscribe(endpoint.url, "gone.test");
      const first = await send("gone.test");
      await eventually(
        async () => (await status(first.id)) === "failed",
        "the 410 delivery failed",
      );
      expect(await subscriptionStatus(sub.id)).toBe("disabled");
      expect(endpoint.received).toHaveLength(1); // 410 is not retried

      const second = await send("gone.test"); // stored, not delivered to a disabled subscription
      await eventually(
        async () => (await status(second.id)) === "received",
        "the second webhook stored",
      );

      const deadLetters = await api.get<{
        data: Array<{ id: string; kind: string; lastStatusCode: number }>;
      }>("/api/v1/dead-letters");
      const dead = deadLetters.body.data.find((d) => d.lastStatusCode === 410);
      expect(dead?.kind).toBe("delivery");

      gone = false;
      expect((await api.post(`/api/v1/subscriptions/${sub.id}/resume`, {})).status).toBe(200);
      const dry = await api.post<{ matched: number }>("/api/v1/replays", {
        subscriptionId: sub.id,
        status: "received",
        dryRun: true,
      });
      expect(dry.body.matched).toBe(1);
      const job = await api.post<{ id: string }>("/api/v1/replays", {
        subscriptionId: sub.id,
        status: "received",
        ratePerSecond: 10,
      });
      expect(job.status).toBe(202);
      await eventually(
        async () => (await status(second.id)) === "delivered",
        "the held webhook delivered after the replay",
      );
      expect(
        (await api.get<{ status: string; published: number }>(`/api/v1/replays/${job.body.id}`))
          .body,
      ).toMatchObject({ status: "completed", published: 1 });

      const retry = await api.post(`/api/v1/dead-letters/${dead?.id}/retry`, {});
      expect(retry.status).toBe(202);
      await eventually(
        async () => (await status(first.id)) === "delivered",
        "the dead letter delivered on retry",
      );
      expect(endpoint.received).toHaveLength(3);
    } finally {
      await endpoint.close();
    }
  });

  it("signs with both secrets during a subscription secret rotation", async () => {
    const endpoint = await startSubscriber();
    try {
      const sub = await subscribe(endpoint.url, "rotate.test");
      const rotated = await api.post<{ secret: string }>(
        `/api/v1/subscriptions/${sub.id}/rotate-secret`,
        { overlapSeconds: 3600 },
      );
      expect(rotated.status).toBe(200);
      await send("rotate.test");
      await eventually(() => endpoint.received.length === 1, "one delivery");
      const d = endpoint.received[0];
      if (!d) throw new Error("no delivery");
      expect(String(d.headers["webhook-signature"]).split(" ")).toHaveLength(2);
      for (const secret of [sub.secret, rotated.body.secret]) {
        expect(
          verifyWebhook({
            provider: "standard-webhooks",
            headers: d.headers as Record<string, string>,
            body: d.body,
            secrets: [secret],
            now: new Date(),
          }).ok,
        ).toBe(true);
      }
    } finally {
      await endpoint.close();
    }
  });

  it("accepts a source's old and new secrets during its rotation, and the new one at once", async () => {
    const old = source.secret;
    const rotated = await api.post<{ secret: string }>(
      `/api/v1/sources/${source.id}/rotate-secret`,
      { overlapSeconds: 3600 },
    );
    expect(rotated.status).toBe(200);
    expect((await send("none", rotated.body.secret)).status).toBe(202);
    expect((await send("none", old)).status).toBe(202);
    expect((await send("none", "not-the-secret")).status).toBe(401);
    source = { ...source, secret: rotated.body.secret };
  });

  it("opens a failing endpoint's circuit: deliveries wait instead of hammering it", async () => {
    const endpoint = await startSubscriber(() => 500);
    try {
      await subscribe(endpoint.url, "circuit.test");
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await send("circuit.test")).id);
      await eventually(async () => {
        const timeline = (
          await api.get<{ timeline: Array<{ type: string }> }>(`/api/v1/events/${ids[7]}`)
        ).body.timeline;
        return timeline?.some((e) => e.type === "delivery_retry_scheduled") ?? false;
      }, "the last delivery scheduled");
      // Threshold 2: two failures open the circuit, and later deliveries wait without a request.
      // Attempts already in flight when it opened still land, so the bound is loose but below 8.
      await new Promise((r) => setTimeout(r, 300));
      expect(endpoint.received.length).toBeLessThan(8);
      const timelines = await Promise.all(
        ids.map(
          async (id) =>
            (await api.get<{ timeline: Array<{ type: string }> }>(`/api/v1/events/${id}`)).body
              .timeline,
        ),
      );
      const deferred = timelines.filter(
        (t) =>
          !t.some((e) => e.type === "delivery_attempted") &&
          t.some((e) => e.type === "delivery_retry_scheduled"),
      );
      expect(deferred.length).toBeGreaterThan(0);
    } finally {
      await endpoint.close();
    }
  });
});
