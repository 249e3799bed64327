import type { Topology } from "@hookrail/contracts";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsumedMessage, declareTopology, startConsumer } from "./index.js";
import { consumerHarness, countByN, type Item, parseItem } from "./test-support/consume.js";
import {
  delay,
  deleteTopologies,
  memoryLogger,
  testConnection,
  until,
} from "./test-support/nats.js";

let nc: NatsConnection;
const created: Topology[] = [];
beforeAll(async () => {
  nc = await testConnection();
});
afterAll(async () => {
  await deleteTopologies(nc, created);
  await nc.close();
});

describe("startConsumer", () => {
  it("hands parsed batches to handleBatch and acks them once it resolves", async () => {
    const h = await consumerHarness(nc, created, { batchSize: 10 });
    const items = Array.from({ length: 30 }, (_, n) => ({
      subject: h.t.subjects.webhookReceived("src"),
      payload: { n },
      opts: { msgId: `ok-${n}`, messageType: "test.item", requestId: `req-${n}` },
    }));
    await h.publisher.publishMany(items);
    await until("30 handled", () => h.handled.length === 30);
    await until("all acked", async () => {
      const i = await h.info();
      return i.num_ack_pending === 0 && i.num_pending === 0;
    });
    await h.consumer.stop();

    expect([...countByN(h.handled).values()].every((c) => c === 1)).toBe(true);
    const m = h.handled.find((x) => x.data.n === 7);
    expect(m).toMatchObject({
      data: { n: 7 },
      subject: h.t.subjects.webhookReceived("src"),
      deliveryCount: 1,
      requestId: "req-7",
    });
    expect(m?.seq).toBeGreaterThan(0);
    expect(m?.headers).toMatchObject({
      "nats-msg-id": "ok-7",
      "hookrail-message-type": "test.item",
      "hookrail-publisher": "consumer-test",
      "x-request-id": "req-7",
    });
    expect(h.batches.every((b) => b.size <= 10 && b.outcome === "ok")).toBe(true);
    expect(h.batches.reduce((s, b) => s + b.size, 0)).toBe(30);
    expect(h.deadLetters).toEqual([]);
  });

  it("dead-letters and terminates poison messages while 20 good ones are handled", async () => {
    const h = await consumerHarness(nc, created);
    for (let n = 0; n < 10; n++) await h.publish({ n }, `good-${n}`);
    const junk = new TextEncoder().encode("{not json");
    await h.publish(junk, "poison-json");
    await h.publish({ nope: true }, "poison-shape");
    await h.publish(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "poison-utf8");
    for (let n = 10; n < 20; n++) await h.publish({ n }, `good-${n}`);

    await until(
      "20 handled and 3 dead letters",
      () => h.handled.length === 20 && h.deadLetters.length === 3,
    );
    await until("nothing pending", async () => {
      const i = await h.info();
      return i.num_ack_pending === 0 && i.num_pending === 0;
    });
    await h.consumer.stop();

    expect([...countByN(h.handled).keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, n) => n),
    );
    const byId = new Map(h.deadLetters.map((d) => [d.headers["nats-msg-id"], d]));
    expect(byId.get("poison-json")).toMatchObject({
      stream: h.t.streams.webhooks.name,
      durable: "processor",
      subject: h.t.subjects.webhookReceived("src"),
      deliveryCount: 1,
      payload: junk,
    });
    expect(byId.get("poison-json")?.error).toMatch(/^invalid JSON/);
    expect(byId.get("poison-shape")?.error).toMatch(/^invalid message: not an item/);
    expect(byId.get("poison-utf8")?.error).toMatch(/^invalid JSON/);
    expect(h.batches.some((b) => b.outcome === "partial")).toBe(true);
    expect((await h.info()).num_redelivered).toBe(0);
  });

  it("stop() waits for the in-flight batch to finish and be acked", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered = false;
    const h = await consumerHarness(nc, created, {
      handle: async () => {
        entered = true;
        await gate;
      },
    });
    await h.publish({ n: 1 }, "slow-1");
    await until("handler entered", () => entered);
    let stopped = false;
    const stopping = h.consumer.stop().then(() => {
      stopped = true;
    });
    await delay(300);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(h.handled.map((m) => m.data.n)).toEqual([1]);
    const i = await h.info();
    expect([i.num_ack_pending, i.num_pending]).toEqual([0, 0]);
  });

  it("keeps a long batch alive with working() so no other instance gets it mid-work", async () => {
    const deliveries: number[] = [];
    const handle = async (ms: ConsumedMessage<Item>[]) => {
      deliveries.push(...ms.map((m) => m.deliveryCount));
      await delay(2500);
    };
    const h = await consumerHarness(nc, created, { ackWaitMs: 1000, batchSize: 1, handle });
    // A second instance on the same durable would receive any redelivery while the first works.
    const other = startConsumer<Item>(nc, {
      stream: h.t.consumers.processor.stream,
      durable: h.t.consumers.processor.durable,
      logger: memoryLogger().logger,
      parse: parseItem,
      handleBatch: handle,
      onDeadLetter: async () => {},
      batchSize: 1,
    });
    await h.publish({ n: 1 }, "long-1");
    await until("handled", () => h.handled.length === 1, 20_000);
    await delay(500);
    await Promise.all([h.consumer.stop(), other.stop()]);
    expect(deliveries).toEqual([1]);
    const i = await h.info();
    expect([i.num_redelivered, i.num_ack_pending, i.num_pending]).toEqual([0, 0, 0]);
  });

  it("logs and retries while its consumer is missing, then recovers", async () => {
    const h = await consumerHarness(nc, created, { start: false });
    await until("an error logged", () =>
      h.lines.some((l) => l.msg === "consume loop failed; retrying"),
    );
    expect(h.consumer.done).toBeInstanceOf(Promise);
    await declareTopology(nc, h.t);
    await h.publish({ n: 42 }, "late-42");
    await until("handled after recovery", () => h.handled.length === 1);
    await h.consumer.stop();
    expect(h.handled[0]?.data).toEqual({ n: 42 });
  });

  it("refuses bad options eagerly", async () => {
    const h = { stream: "S", durable: "d", parse: (x: unknown) => x };
    const base = {
      ...h,
      logger: (await import("pino")).pino({ level: "silent" }),
      handleBatch: async () => {},
      onDeadLetter: async () => {},
    };
    const { startConsumer } = await import("./index.js");
    expect(() => startConsumer(nc, { ...base, concurrency: 0 })).toThrow(RangeError);
    expect(() => startConsumer(nc, { ...base, decode: () => 1 })).toThrow(
      /exactly one of parse or decode/,
    );
    expect(() => startConsumer(nc, { ...base, batchSize: 0 })).toThrow(RangeError);
    expect(() => startConsumer(nc, { ...base, maxDeliveries: 0 })).toThrow(RangeError);
  });
});
