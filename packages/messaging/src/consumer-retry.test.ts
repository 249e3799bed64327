import type { Topology } from "@hookrail/contracts";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumerHarness, countByN } from "./test-support/consume.js";
import { delay, deleteTopologies, testConnection, until } from "./test-support/nats.js";

let nc: NatsConnection;
const created: Topology[] = [];
beforeAll(async () => {
  nc = await testConnection();
});
afterAll(async () => {
  await deleteTopologies(nc, created);
  await nc.close();
});

const settled = async (info: () => Promise<{ num_ack_pending: number; num_pending: number }>) => {
  await until("nothing pending", async () => {
    const i = await info();
    return i.num_ack_pending === 0 && i.num_pending === 0;
  });
};

describe("startConsumer retries", () => {
  it("dead-letters a message that always fails after exactly maxDeliveries, while others flow", async () => {
    const badDeliveries: number[] = [];
    const h = await consumerHarness(nc, created, {
      batchSize: 11,
      maxDeliveries: 3,
      handle: async (ms) => {
        const bad = ms.find((m) => m.data.n === -1);
        if (bad) {
          if (ms.length === 1) badDeliveries.push(bad.deliveryCount);
          throw new Error("handler boom");
        }
      },
    });
    for (let n = 0; n < 5; n++) await h.publish({ n }, `ok-${n}`);
    await h.publish({ n: -1 }, "always-bad");
    for (let n = 5; n < 10; n++) await h.publish({ n }, `ok-${n}`);

    await until("dead letter", () => h.deadLetters.length === 1);
    await settled(h.info);
    await delay(300); // a fourth delivery would show up here
    await h.consumer.stop();

    expect(badDeliveries).toEqual([1, 2, 3]);
    expect(h.deadLetters[0]).toMatchObject({ deliveryCount: 3, error: "handler boom" });
    expect(h.deadLetters[0]?.headers["nats-msg-id"]).toBe("always-bad");
    const counts = countByN(h.handled);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(h.batches.some((b) => b.outcome === "partial")).toBe(true);
  });

  it("redelivers a message whose handler fails once; it is then handled exactly once", async () => {
    const seen: number[] = [];
    const backoffs: number[] = [];
    const h = await consumerHarness(nc, created, {
      batchSize: 1,
      retryBackoffMs: (n) => {
        backoffs.push(n);
        return 50;
      },
      handle: async (ms) => {
        seen.push(...ms.map((m) => m.deliveryCount));
        if (seen.length === 1) throw new Error("transient");
      },
    });
    await h.publish({ n: 1 }, "flaky-1");
    await until("handled", () => h.handled.length === 1);
    await settled(h.info);
    await h.consumer.stop();
    expect(seen).toEqual([1, 2]);
    expect(backoffs).toEqual([1]);
    expect(h.handled.map((m) => [m.data.n, m.deliveryCount])).toEqual([[1, 2]]);
    expect(h.deadLetters).toEqual([]);
  });

  it("isolates a failing message of a batch: the others are handled in the same delivery", async () => {
    let failedOnce = false;
    const h = await consumerHarness(nc, created, {
      batchSize: 5,
      handle: async (ms) => {
        if (!failedOnce && ms.some((m) => m.data.n === 3)) {
          failedOnce = true;
          throw new Error("n=3 fails once");
        }
      },
    });
    await h.publisher.publishMany(
      [1, 2, 3, 4, 5].map((n) => ({
        subject: h.t.subjects.webhookReceived("src"),
        payload: { n },
        opts: { msgId: `batch-${n}`, messageType: "test.item" },
      })),
    );
    await until("5 handled", () => h.handled.length === 5);
    await settled(h.info);
    await h.consumer.stop();
    expect([...countByN(h.handled).values()]).toEqual([1, 1, 1, 1, 1]);
    expect(h.handled.every((m) => m.deliveryCount === 1)).toBe(true);
  });

  it("never terminates a message whose dead letter was not recorded: it is redelivered", async () => {
    let attempts = 0;
    const h = await consumerHarness(nc, created, {
      batchSize: 1,
      onDeadLetter: async (dead) => {
        attempts++;
        if (attempts === 1) throw new Error("dead-letter store down");
        recorded.push(dead.deliveryCount);
      },
    });
    const recorded: number[] = [];
    await h.publish(new TextEncoder().encode("not json"), "poison-retry");
    await until("dead letter recorded", () => recorded.length === 1);
    await settled(h.info);
    await h.consumer.stop();
    expect(attempts).toBe(2);
    expect(recorded).toEqual([2]);
    expect(h.lines.some((l) => l.msg === "recording a dead letter failed; will retry")).toBe(true);
  });
});
