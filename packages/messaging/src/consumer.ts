import { type Consumer, type JetStreamClient, type JsMsg, jetstream } from "@nats-io/jetstream";
import { millis, type NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { defaultRetryBackoffMs, loopBackoffMs, sleep } from "./backoff.js";
import { type BatchContext, processBatch } from "./batch.js";
import type { ConsumerHandle, ConsumerOptions } from "./consume-types.js";

// nats.js refuses pull requests that expire sooner than this.
const MIN_WAIT_MS = 1000;

/**
 * Starts the one consume loop of Hookrail on a durable pull consumer: fetch a batch, hand the
 * messages that parse to `handleBatch`, ack them once it resolves. Poison messages and messages
 * that fail `maxDeliveries` times are recorded with `onDeadLetter` before being terminated;
 * other failures are redelivered after `retryBackoffMs`. Errors of the loop itself (NATS down,
 * consumer missing) are logged and retried with a backoff until stop().
 */
export function startConsumer<T>(nc: NatsConnection, opts: ConsumerOptions<T>): ConsumerHandle {
  const batchSize = opts.batchSize ?? 100;
  const maxWaitMs = opts.maxWaitMs ?? 1000;
  const maxDeliveries = opts.maxDeliveries ?? 5;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isInteger(maxWaitMs) || maxWaitMs < MIN_WAIT_MS) {
    throw new RangeError(
      `maxWaitMs must be an integer of at least ${MIN_WAIT_MS}, got ${maxWaitMs}`,
    );
  }
  if (!Number.isInteger(maxDeliveries) || maxDeliveries < 1) {
    throw new RangeError(`maxDeliveries must be a positive integer, got ${maxDeliveries}`);
  }
  const logger = opts.logger.child({ stream: opts.stream, durable: opts.durable });
  const loop = new ConsumeLoop(nc, opts, logger, { batchSize, maxWaitMs, maxDeliveries });
  const done = loop.run();
  return {
    done,
    async stop() {
      loop.abort.abort();
      await done;
    },
  };
}

interface Limits {
  batchSize: number;
  maxWaitMs: number;
  maxDeliveries: number;
}

class ConsumeLoop<T> {
  readonly abort = new AbortController();
  readonly #js: JetStreamClient;
  readonly nc: NatsConnection;
  readonly opts: ConsumerOptions<T>;
  readonly logger: Logger;
  readonly batchSize: number;
  readonly maxWaitMs: number;
  readonly maxDeliveries: number;

  constructor(nc: NatsConnection, opts: ConsumerOptions<T>, logger: Logger, limits: Limits) {
    this.#js = jetstream(nc);
    this.nc = nc;
    this.opts = opts;
    this.logger = logger;
    this.batchSize = limits.batchSize;
    this.maxWaitMs = limits.maxWaitMs;
    this.maxDeliveries = limits.maxDeliveries;
  }

  async run(): Promise<void> {
    const signal = this.abort.signal;
    let consumer: { c: Consumer; ctx: BatchContext<T> } | undefined;
    let failures = 0;
    this.logger.info("consumer started");
    while (!signal.aborted) {
      if (this.nc.isClosed()) {
        this.logger.error("NATS connection closed; consumer stopped");
        return;
      }
      let error: unknown;
      try {
        consumer ??= await this.#open();
        const fetched = await this.#fetch(consumer.c, signal);
        error = fetched.error;
        if (fetched.messages.length > 0) {
          const info = await processBatch(fetched.messages, consumer.ctx);
          this.#report(info);
        }
      } catch (err) {
        error = err;
      }
      if (error === undefined) {
        failures = 0;
        continue;
      }
      // Look the consumer up again: it may have been deleted, recreated or reconfigured.
      consumer = undefined;
      failures++;
      const delayMs = loopBackoffMs(failures);
      this.logger.error({ err: error, failures, delayMs }, "consume loop failed; retrying");
      await sleep(delayMs, signal);
    }
    this.logger.info("consumer stopped");
  }

  async #open(): Promise<{ c: Consumer; ctx: BatchContext<T> }> {
    const c = await this.#js.consumers.get(this.opts.stream, this.opts.durable);
    const { config } = await c.info(true);
    const ackWaitMs = config.ack_wait ? millis(config.ack_wait) : 30_000;
    if (ackWaitMs < 2 * this.maxWaitMs) {
      this.logger.warn({ ackWaitMs, maxWaitMs: this.maxWaitMs }, "ack wait is short for maxWaitMs");
    }
    const o = this.opts;
    // Messages can wait up to maxWaitMs in the fetch before their batch starts.
    const keepAliveMs = Math.max(ackWaitMs / 4, ackWaitMs / 2 - this.maxWaitMs);
    const ctx: BatchContext<T> = {
      stream: o.stream,
      durable: o.durable,
      logger: this.logger,
      parse: o.parse,
      handleBatch: o.handleBatch,
      onDeadLetter: o.onDeadLetter,
      maxDeliveries: this.maxDeliveries,
      retryBackoffMs: safeBackoff(o.retryBackoffMs, this.logger),
      keepAliveMs: Math.max(50, Math.floor(keepAliveMs)),
    };
    return { c, ctx };
  }

  /** Collects one fetch. Messages received before an error are returned with it, not dropped. */
  async #fetch(c: Consumer, signal: AbortSignal): Promise<{ messages: JsMsg[]; error?: unknown }> {
    const iter = await c.fetch({ max_messages: this.batchSize, expires: this.maxWaitMs });
    const messages: JsMsg[] = [];
    // stop() lets the fetch run out, so no message is sent to an abandoned inbox (it would sit
    // until ack_wait). The guard only ends a fetch stuck on a dead connection.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const onStop = () => {
      guard = setTimeout(() => void iter.close().catch(() => {}), this.maxWaitMs + 1000);
    };
    if (signal.aborted) onStop();
    else signal.addEventListener("abort", onStop, { once: true });
    try {
      for await (const m of iter) messages.push(m);
      return { messages };
    } catch (error) {
      return { messages, error };
    } finally {
      clearTimeout(guard);
      signal.removeEventListener("abort", onStop);
    }
  }

  #report(info: Parameters<NonNullable<ConsumerOptions<T>["onBatch"]>>[0]): void {
    try {
      this.opts.onBatch?.(info);
    } catch (err) {
      this.logger.warn({ err }, "onBatch hook threw");
    }
  }
}

// A redelivery delay must never be what fails a batch: bad values fall back to the default.
function safeBackoff(custom: ((n: number) => number) | undefined, logger: Logger) {
  return (deliveryCount: number): number => {
    try {
      const ms = custom ? custom(deliveryCount) : defaultRetryBackoffMs(deliveryCount);
      if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
      logger.warn({ ms, deliveryCount }, "retryBackoffMs gave an invalid delay; using the default");
    } catch (err) {
      logger.warn({ err, deliveryCount }, "retryBackoffMs threw; using the default");
    }
    return defaultRetryBackoffMs(deliveryCount);
  };
}
