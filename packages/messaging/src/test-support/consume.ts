import type { Topology } from "@hookrail/contracts";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  type BatchInfo,
  type ConsumedMessage,
  type ConsumerOptions,
  type DeadLetter,
  declareTopology,
  Publisher,
  startConsumer,
} from "../index.js";
import { freshTopology, memoryLogger } from "./nats.js";

/** The message shape of the consumer tests. `n` identifies it; `fail` steers the handler. */
export interface Item {
  n: number;
}

export function parseItem(raw: unknown): Item {
  if (typeof raw !== "object" || raw === null || typeof (raw as Item).n !== "number") {
    throw new Error("not an item");
  }
  return { n: (raw as Item).n };
}

/**
 * A fresh topology with the processor consumer running on it, recording what it handled,
 * dead-lettered and reported. `handle` runs before a batch counts as handled; throw to fail it.
 */
export async function consumerHarness(
  nc: NatsConnection,
  created: Topology[],
  options: Partial<ConsumerOptions<Item>> & {
    handle?: (messages: ConsumedMessage<Item>[]) => Promise<void>;
    ackWaitMs?: number;
    start?: boolean;
  } = {},
) {
  const t = freshTopology();
  created.push(t);
  if (options.start !== false) await declareTopology(nc, t, {}, { ackWaitMs: options.ackWaitMs });
  const handled: ConsumedMessage<Item>[] = [];
  const deadLetters: DeadLetter[] = [];
  const batches: BatchInfo[] = [];
  const { logger, lines } = memoryLogger();
  const { handle, ackWaitMs: _a, start: _s, ...rest } = options;
  const consumer = startConsumer<Item>(nc, {
    stream: t.consumers.processor.stream,
    durable: t.consumers.processor.durable,
    logger,
    parse: parseItem,
    handleBatch: async (messages) => {
      await handle?.(messages);
      handled.push(...messages);
    },
    onDeadLetter: async (dead) => {
      deadLetters.push(dead);
    },
    retryBackoffMs: () => 20,
    onBatch: (info) => batches.push(info),
    ...rest,
  });
  const publisher = new Publisher(nc, { service: "consumer-test" });
  const publish = (payload: unknown, msgId: string) =>
    publisher.publish(t.subjects.webhookReceived("src"), payload, {
      msgId,
      messageType: "test.item",
      requestId: `req-${msgId}`,
    });
  const info = async () => {
    const jsm = await jetstreamManager(nc);
    return jsm.consumers.info(t.consumers.processor.stream, t.consumers.processor.durable);
  };
  return { t, consumer, handled, deadLetters, batches, lines, publish, publisher, info };
}

/** How many times each `n` was handled successfully. */
export function countByN(messages: ConsumedMessage<Item>[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of messages) counts.set(m.data.n, (counts.get(m.data.n) ?? 0) + 1);
  return counts;
}
