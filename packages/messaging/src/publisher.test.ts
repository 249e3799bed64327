import type { Topology } from "@hookrail/contracts";
import { DiscardPolicy, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declareTopology, type PublishAck, PublishError, Publisher } from "./index.js";
import { deleteTopologies, freshTopology, testConnection } from "./test-support/nats.js";

let nc: NatsConnection;
let jsm: JetStreamManager;
let publisher: Publisher;
const t = freshTopology();
const tiny = freshTopology();
const capped = `${t.prefix.toUpperCase()}_CAPPED`;

beforeAll(async () => {
  nc = await testConnection();
  jsm = await jetstreamManager(nc);
  await declareTopology(nc, t);
  await declareTopology(nc, tiny, { maxBytes: 1024 });
  await jsm.streams.add({
    name: capped,
    subjects: [`${t.prefix}.capped.>`],
    discard: DiscardPolicy.New,
    max_msgs: 1,
  });
  publisher = new Publisher(nc, { service: "publisher-test" });
});
afterAll(async () => {
  await jsm.streams.delete(capped).catch(() => false);
  await deleteTopologies(nc, [t, tiny] satisfies Topology[]);
  await nc.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("publish should have failed"),
    (e: unknown) => e as PublishError,
  );

describe("Publisher", () => {
  it("stores JSON with Hookrail's headers and resolves with the ack", async () => {
    const subject = t.subjects.webhookReceived("src1");
    const ack = await publisher.publish(
      subject,
      { kind: "x", n: 1 },
      {
        msgId: "m-headers",
        messageType: "webhook.received",
        requestId: "req-123",
        headers: { "X-Extra": "yes", "Hookrail-Publisher": "spoofed" },
      },
    );
    expect(ack).toMatchObject({ stream: t.streams.webhooks.name, duplicate: false });
    const stored = await jsm.streams.getMessage(ack.stream, { seq: ack.seq });
    expect(stored?.json()).toEqual({ kind: "x", n: 1 });
    expect(stored?.header.get("Nats-Msg-Id")).toBe("m-headers");
    expect(stored?.header.get("Hookrail-Message-Type")).toBe("webhook.received");
    expect(stored?.header.get("Hookrail-Publisher")).toBe("publisher-test");
    expect(stored?.header.get("X-Request-Id")).toBe("req-123");
    expect(stored?.header.get("X-Extra")).toBe("yes");
  });

  it("stores a Uint8Array payload byte for byte", async () => {
    const bytes = new Uint8Array([0, 255, 10, 13, 123]);
    const ack = await publisher.publish(t.subjects.webhookReceived("raw"), bytes, {
      msgId: "m-raw",
      messageType: "raw",
    });
    const stored = await jsm.streams.getMessage(ack.stream, { seq: ack.seq });
    expect(stored?.data).toEqual(bytes);
  });

  it("reports a second publish with the same msgId as a duplicate of the first", async () => {
    const subject = t.subjects.webhookReceived("dup");
    const opts = { msgId: "m-dup", messageType: "webhook.received" };
    const first = await publisher.publish(subject, { n: 1 }, opts);
    const second = await publisher.publish(subject, { n: 2 }, opts);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
  });

  it("maps a full DiscardNew stream (max_bytes and max_msgs) to stream_full", async () => {
    const big = await failure(
      publisher.publish(tiny.subjects.webhookReceived("s"), new Uint8Array(2000), {
        msgId: "m-big",
        messageType: "x",
      }),
    );
    expect(big).toBeInstanceOf(PublishError);
    expect(big.reason).toBe("stream_full");
    expect(big.cause).toMatchObject({ code: 10077 });

    await publisher.publish(`${t.prefix}.capped.a`, 1, { msgId: "c1", messageType: "x" });
    const full = await failure(
      publisher.publish(`${t.prefix}.capped.a`, 2, { msgId: "c2", messageType: "x" }),
    );
    expect(full.reason).toBe("stream_full");
    expect(full.message).toMatch(/maximum messages exceeded/);
  });

  it("maps a subject no stream listens on to unavailable (nats.js: no responders)", async () => {
    const err = await failure(
      publisher.publish(`${t.prefix}.nowhere`, {}, { msgId: "m-none", messageType: "x" }),
    );
    expect(err.reason).toBe("unavailable");
    expect(err.cause).toMatchObject({ name: "JetStreamNotEnabled" });
  });

  it("maps no acknowledgement in time to timeout (outcome unknown)", async () => {
    // A plain subscriber takes the request and never answers, like a stalled server.
    const sub = nc.subscribe(`${t.prefix}.silent.>`);
    const quick = new Publisher(nc, { service: "publisher-test", timeoutMs: 200 });
    const err = await failure(
      quick.publish(`${t.prefix}.silent.x`, {}, { msgId: "m-silent", messageType: "x" }),
    );
    sub.unsubscribe();
    expect(err.reason).toBe("timeout");
  });

  it("maps a closed connection to unavailable", async () => {
    const own = await testConnection();
    const p = new Publisher(own, { service: "publisher-test" });
    await own.close();
    const err = await failure(
      p.publish(t.subjects.webhookReceived("c"), {}, { msgId: "m-closed", messageType: "x" }),
    );
    expect(err.reason).toBe("unavailable");
  });

  it("publishMany pipelines all items and returns their acks in order", async () => {
    const items = [1, 2, 3, 4, 5].map((n) => ({
      subject: t.subjects.deliveryFirst(`sub${n}`),
      payload: { n },
      opts: { msgId: `many-${n}`, messageType: "delivery.requested" },
    }));
    const acks = await publisher.publishMany(items);
    expect(acks.map((a) => a.stream)).toEqual(items.map(() => t.streams.deliveries.name));
    const seqs = acks.map((a) => a.seq);
    expect(new Set(seqs).size).toBe(5);
    for (const [i, a] of acks.entries()) {
      const stored = await jsm.streams.getMessage(a.stream, { seq: a.seq });
      expect(stored?.json()).toEqual({ n: i + 1 });
    }
  });

  it("sends the publishes of one event loop turn in one write", async () => {
    // Each publish starts in its own timer callback, as each webhook's starts in its request's
    // I/O callback: without waiting for the turn, each would leave in a write of its own.
    const transport = (nc as unknown as { protocol: { transport: { send(f: Uint8Array): void } } })
      .protocol.transport;
    const send = transport.send;
    let writes = 0;
    transport.send = function counted(frame) {
      writes++;
      return send.call(this, frame);
    };
    try {
      const acks = await Promise.all(
        Array.from(
          { length: 20 },
          (_, n) =>
            new Promise<PublishAck>((resolve, reject) => {
              setTimeout(() => {
                const opts = { msgId: `turn-${n}`, messageType: "x" };
                publisher
                  .publish(t.subjects.deliveryFirst("turn"), { n }, opts)
                  .then(resolve, reject);
              }, 0);
            }),
        ),
      );
      expect(new Set(acks.map((a) => a.seq)).size).toBe(20);
      expect(writes).toBe(1);
    } finally {
      transport.send = send;
    }
  });

  it("publishMany rejects when one item fails, after the others are stored", async () => {
    const before = (await jsm.streams.info(t.streams.deliveries.name)).state.messages;
    const err = await failure(
      publisher.publishMany([
        {
          subject: t.subjects.deliveryFirst("a"),
          payload: 1,
          opts: { msgId: "pm-1", messageType: "x" },
        },
        { subject: `${t.prefix}.nowhere`, payload: 2, opts: { msgId: "pm-2", messageType: "x" } },
        {
          subject: t.subjects.deliveryFirst("b"),
          payload: 3,
          opts: { msgId: "pm-3", messageType: "x" },
        },
      ]),
    );
    expect(err.reason).toBe("unavailable");
    const after = (await jsm.streams.info(t.streams.deliveries.name)).state.messages;
    expect(after - before).toBe(2);
  });

  it("refuses bad input eagerly", async () => {
    expect(() => new Publisher(nc, { service: "" })).toThrow(TypeError);
    expect(() => new Publisher(nc, { service: "s", timeoutMs: 0 })).toThrow(RangeError);
    await expect(
      publisher.publish(t.subjects.webhookReceived("x"), undefined, {
        msgId: "u",
        messageType: "x",
      }),
    ).rejects.toThrow(TypeError);
    await expect(
      publisher.publish(t.subjects.webhookReceived("x"), {}, { msgId: "", messageType: "x" }),
    ).rejects.toThrow(/needs a msgId/);
  });
});
