import { type Consumer, type JetStreamClient, type JsMsg, jetstream } from "@nats-io/jetstream";
import { millis, type NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { defaultRetryBackoffMs, loopBackoffMs, sleep } from "./backoff.js";
import { type BatchContext, processBatch } from "./batch.js";
import { type ConsumerHandle, type ConsumerOptions, jsonDecoder } from "./consume-types.js";

/**
 * Starts the one consume loop of Hookrail on a durable pull consumer. Messages stream in
 * (`consume()`, so a lone message is handled at once) and are handed to `handleBatch` in
 * micro-batches of whatever has arrived, up to `batchSize`, `concurrency` batches at a time;
 * each is acked once its batch's work is committed. Poison messages and messages that fail
 * `maxDeliveries` times are recorded with `onDeadLetter` before being terminated; other
 * failures are redelivered after `retryBackoffMs`. Errors of the loop itself (NATS down,
 * consumer missing) are logged and retried with a backoff until stop().
 */
export function startConsumer<T>(nc: NatsConnection, opts: ConsumerOptions<T>): ConsumerHandle {
  const batchSize = opts.batchSize ?? 100;
  const concurrency = opts.concurrency ?? 1;
  const maxDeliveries = opts.maxDeliveries ?? 5;
  for (const [name, value] of Object.entries({ batchSize, concurrency, maxDeliveries })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  if (!opts.decode === !opts.parse) throw new TypeError("give exactly one of parse or decode");
  const logger = opts.logger.child({ stream: opts.stream, durable: opts.durable });
  const loop = new ConsumeLoop(nc, opts, logger, { batchSize, concurrency, maxDeliveries });
  const done = loop.run();
  return {
    done,
    async stop() {
      loop.stop();
      await done;
    },
  };
}

interface Limits {
  batchSize: number;
  concurrency: number;
  maxDeliveries: number;
}

type Messages = Awaited<ReturnType<Consumer["consume"]>>;

class ConsumeLoop<T> {
  readonly #abort = new AbortController();
  readonly #js: JetStreamClient;
  #messages: Messages | undefined;
  readonly #queue: JsMsg[] = [];
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    readonly nc: NatsConnection,
    readonly opts: ConsumerOptions<T>,
    readonly logger: Logger,
    readonly limits: Limits,
  ) {
    this.#js = jetstream(nc);
  }

  stop(): void {
    this.#abort.abort();
    this.#messages?.stop();
  }

  async run(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    this.logger.info("consumer started");
    while (!signal.aborted) {
      if (this.nc.isClosed()) {
        this.logger.error("NATS connection closed; consumer stopped");
        break;
      }
      try {
        const { c, ctx } = await this.#open();
        // Pull as much as the batches in flight can take; the server tops up as we ack.
        this.#messages = await c.consume({
          max_messages: this.limits.batchSize * this.limits.concurrency,
        });
        if (signal.aborted) this.#messages.stop();
        for await (const m of this.#messages) {
          if (signal.aborted) {
            m.nak();
            continue;
          }
          this.#queue.push(m);
          this.#dispatch(ctx);
          failures = 0;
        }
      } catch (error) {
        failures++;
        const delayMs = loopBackoffMs(failures);
        this.logger.error({ err: error, failures, delayMs }, "consume loop failed; retrying");
        await sleep(delayMs, signal);
      }
    }
    await Promise.all(this.#inFlight);
    // Received but never started: give them back now rather than after ack_wait.
    for (const m of this.#queue.splice(0)) m.nak();
    this.logger.info("consumer stopped");
  }

  /** Starts batches while there is room: a lone message goes at once, a backlog in bulk. */
  #dispatch(ctx: BatchContext<T>): void {
    while (
      this.#inFlight.size < this.limits.concurrency &&
      this.#queue.length > 0 &&
      !this.#abort.signal.aborted
    ) {
      const batch = this.#queue.splice(0, this.limits.batchSize);
      const work: Promise<void> = processBatch(batch, ctx)
        .then((info) => this.#report(info))
        .catch((err) => this.logger.error({ err }, "batch settlement failed; expect redelivery"))
        .finally(() => {
          this.#inFlight.delete(work);
          this.#dispatch(ctx);
        });
      this.#inFlight.add(work);
    }
  }

  async #open(): Promise<{ c: Consumer; ctx: BatchContext<T> }> {
    const c = await this.#js.consumers.get(this.opts.stream, this.opts.durable);
    const { config } = await c.info(true);
    const ackWaitMs = config.ack_wait ? millis(config.ack_wait) : 30_000;
    const o = this.opts;
    const ctx: BatchContext<T> = {
      stream: o.stream,
      durable: o.durable,
      logger: this.logger,
      decode: o.decode ?? jsonDecoder(o.parse as (raw: unknown) => T),
      handleBatch: o.handleBatch,
      onDeadLetter: o.onDeadLetter,
      maxDeliveries: this.limits.maxDeliveries,
      retryBackoffMs: safeBackoff(o.retryBackoffMs, this.logger),
      // A message may have waited in the queue before its batch started: renew well before ack_wait.
      keepAliveMs: Math.max(50, Math.floor(ackWaitMs / 4)),
    };
    return { c, ctx };
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
