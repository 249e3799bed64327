import type { Topology } from "@hookrail/contracts";
import { jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declareTopology, defaultStreamLimits, TopologyError, topologySettings } from "./index.js";
import { deleteTopologies, freshTopology, testConnection } from "./test-support/nats.js";

let nc: NatsConnection;
const created: Topology[] = [];
const fresh = () => {
  const t = freshTopology();
  created.push(t);
  return t;
};

beforeAll(async () => {
  nc = await testConnection();
});
afterAll(async () => {
  await deleteTopologies(nc, created);
  await nc.close();
});

async function snapshot(t: Topology) {
  const jsm = await jetstreamManager(nc);
  const streams = await Promise.all(Object.values(t.streams).map((s) => jsm.streams.info(s.name)));
  const consumers = await Promise.all(
    Object.values(t.consumers).map((c) => jsm.consumers.info(c.stream, c.durable)),
  );
  return { streams, consumers };
}

describe("declareTopology", () => {
  it("creates file-stored, Limits, DiscardNew streams and explicit-ack durable consumers", async () => {
    const t = fresh();
    await declareTopology(
      nc,
      t,
      { maxBytes: 5 * 1024 ** 2 },
      { ackWaitMs: 20_000, maxAckPending: 50 },
    );
    const { streams, consumers } = await snapshot(t);
    for (const s of streams) {
      expect(s.config).toMatchObject({
        storage: "file",
        retention: "limits",
        discard: "new",
        max_bytes: 5 * 1024 ** 2,
        max_age: nanos(defaultStreamLimits.maxAgeMs),
        duplicate_window: nanos(120_000),
        num_replicas: 1,
      });
    }
    expect(streams.map((s) => s.config.subjects)).toEqual([
      [`${t.prefix}.webhooks.>`],
      [`${t.prefix}.deliveries.>`],
    ]);
    expect(consumers.map((c) => [c.stream_name, c.name, c.config.filter_subject])).toEqual(
      Object.values(t.consumers).map((c) => [c.stream, c.durable, c.filterSubject]),
    );
    for (const c of consumers) {
      expect(c.config).toMatchObject({
        ack_policy: "explicit",
        ack_wait: nanos(20_000),
        max_deliver: -1,
        max_ack_pending: 50,
      });
    }
  });

  it("is idempotent: a second call changes nothing", async () => {
    const t = fresh();
    await declareTopology(nc, t);
    const before = await snapshot(t);
    await declareTopology(nc, t);
    const after = await snapshot(t);
    expect(after.streams.map((s) => [s.created, s.config])).toEqual(
      before.streams.map((s) => [s.created, s.config]),
    );
    expect(after.consumers.map((c) => [c.created, c.config])).toEqual(
      before.consumers.map((c) => [c.created, c.config]),
    );
  });

  it("survives three concurrent calls, even when one asks for other limits", async () => {
    const t = fresh();
    await Promise.all([
      declareTopology(nc, t),
      declareTopology(nc, t),
      declareTopology(nc, t, { maxBytes: 64 * 1024 ** 2 }, { maxAckPending: 10 }),
    ]);
    const { streams, consumers } = await snapshot(t);
    expect(streams).toHaveLength(2);
    for (const s of streams) {
      expect([defaultStreamLimits.maxBytes, 64 * 1024 ** 2]).toContain(s.config.max_bytes);
      expect(s.config.discard).toBe("new");
    }
    expect(consumers).toHaveLength(3);
  });

  it("updates streams and consumers in place when settings change", async () => {
    const t = fresh();
    await declareTopology(nc, t);
    const before = await snapshot(t);
    await declareTopology(
      nc,
      t,
      { maxBytes: 2 * 1024 ** 2, maxAgeMs: 3600_000 },
      { ackWaitMs: 10_000 },
    );
    const after = await snapshot(t);
    expect(after.streams.map((s) => s.created)).toEqual(before.streams.map((s) => s.created));
    for (const s of after.streams) {
      expect(s.config.max_bytes).toBe(2 * 1024 ** 2);
      expect(s.config.max_age).toBe(nanos(3600_000));
    }
    for (const c of after.consumers) expect(c.config.ack_wait).toBe(nanos(10_000));
  });

  it("refuses invalid settings before talking to the server, naming each", async () => {
    const t = freshTopology();
    const err = await declareTopology(nc, t, { maxBytes: 0, replicas: 7 }, { ackWaitMs: -1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TopologyError);
    expect((err as Error).message).toMatch(/maxBytes.*replicas.*|replicas.*maxBytes/);
    expect((err as Error).message).toMatch(/ackWaitMs/);
    const jsm = await jetstreamManager(nc);
    await expect(jsm.streams.info(t.streams.webhooks.name)).rejects.toThrow(/stream not found/);
  });

  it("declares what the services' NATS_STREAM_REPLICAS and NATS_ACK_WAIT ask for", async () => {
    expect(topologySettings({})).toEqual([{}, {}]);
    const t = fresh();
    // One server here: a replica count above 1 is refused by nats-server, so 1 it is; the ack wait
    // shows the settings reach the server.
    await declareTopology(
      nc,
      t,
      ...topologySettings({ NATS_STREAM_REPLICAS: 1, NATS_ACK_WAIT: 45_000 }),
    );
    const { streams, consumers } = await snapshot(t);
    for (const s of streams) expect(s.config.num_replicas).toBe(1);
    for (const c of consumers) expect(c.config.ack_wait).toBe(nanos(45_000));
    await expect(
      declareTopology(nc, fresh(), ...topologySettings({ NATS_STREAM_REPLICAS: 0 })),
    ).rejects.toThrow(/replicas must be 1 to 5/);
  });
});
