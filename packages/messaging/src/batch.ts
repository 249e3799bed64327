import { HeaderName } from "@hookrail/contracts";
import type { JsMsg } from "@nats-io/jetstream";
import { type Context, context, type Span } from "@opentelemetry/api";
import type { Logger } from "pino";
import { failSpan, startConsumeSpan } from "./consume-span.js";
import {
  type BatchInfo,
  type ConsumedMessage,
  type ConsumerOptions,
  type DeadLetter,
  InvalidJsonError,
  type MessageDecoder,
} from "./consume-types.js";
import { headersToRecord } from "./headers.js";

/** Everything one batch needs, resolved by the consume loop. */
export interface BatchContext<T> {
  stream: string;
  durable: string;
  logger: Logger;
  decode: MessageDecoder<T>;
  handleBatch: ConsumerOptions<T>["handleBatch"];
  onDeadLetter: ConsumerOptions<T>["onDeadLetter"];
  maxDeliveries: number;
  retryBackoffMs: (deliveryCount: number) => number;
  /** How often to tell the server the batch is still being worked on. */
  keepAliveMs: number;
}

interface Delivery<T> {
  msg: JsMsg;
  message: ConsumedMessage<T>;
  span: Span;
}

const requestIdKey = HeaderName.requestId.toLowerCase();

/**
 * Settles every message of a fetched batch exactly one way: acked after its work is committed,
 * terminated after its dead letter is recorded, or nak'd for a later redelivery. Never throws
 * for a handler's failure.
 */
export async function processBatch<T>(msgs: JsMsg[], ctx: BatchContext<T>): Promise<BatchInfo> {
  const started = performance.now();
  // Without this, a batch that takes longer than ack_wait would be redelivered mid-work.
  const keepAlive = setInterval(() => {
    for (const m of msgs) m.working(); // a no-op for messages already settled
  }, ctx.keepAliveMs);
  const spans: Span[] = [];
  let partial = false;
  try {
    const valid: Delivery<T>[] = [];
    for (const msg of msgs) {
      const headers = headersToRecord(msg.headers);
      const { span, context: traced } = startConsumeSpan(msg, headers, ctx.durable);
      spans.push(span);
      const decoded = decode(msg, headers, traced, ctx.decode);
      if (typeof decoded === "string") {
        partial = true;
        failSpan(span, decoded);
        await context.with(traced, async () => {
          ctx.logger.warn(
            {
              seq: msg.seq,
              subject: msg.subject,
              error: decoded,
              // eslint-disable-next-line security/detect-object-injection -- requestIdKey is a constant header name; a read, nothing is assigned
              requestId: headers[requestIdKey],
            },
            "poison message",
          );
          await deadLetter(msg, decoded, ctx);
        });
      } else {
        valid.push({ msg, message: decoded, span });
      }
    }
    if (valid.length > 0 && !(await handle(valid, ctx))) partial = true;
  } finally {
    clearInterval(keepAlive);
    for (const span of spans) span.end();
  }
  const outcome = partial ? "partial" : "ok";
  return { size: msgs.length, durationMs: performance.now() - started, outcome };
}

/** Returns true when every message was handled (and its ack sent). */
async function handle<T>(valid: Delivery<T>[], ctx: BatchContext<T>): Promise<boolean> {
  try {
    // The batch's work (its database writes) runs in the first message's trace.
    const first = valid[0]?.message.context ?? context.active();
    await context.with(first, () => ctx.handleBatch(valid.map((d) => d.message)));
  } catch (err) {
    const [only] = valid;
    if (valid.length === 1 && only) {
      await retryLater(only, err, ctx);
      return false;
    }
    // One bad message must not hold back the others: find it by handling each alone.
    ctx.logger.warn({ err, size: valid.length }, "batch failed; handling its messages one by one");
    let ok = true;
    for (const d of valid) {
      try {
        await context.with(d.message.context, () => ctx.handleBatch([d.message]));
      } catch (e) {
        ok = false;
        await retryLater(d, e, ctx);
        continue;
      }
      await ackAll([d.msg], ctx.logger);
    }
    return ok;
  }
  await ackAll(
    valid.map((d) => d.msg),
    ctx.logger,
  );
  return true;
}

async function retryLater<T>(d: Delivery<T>, err: unknown, ctx: BatchContext<T>): Promise<void> {
  failSpan(d.span, err);
  await context.with(d.message.context, () => settleFailure(d, err, ctx));
}

async function settleFailure<T>(d: Delivery<T>, err: unknown, ctx: BatchContext<T>): Promise<void> {
  const count = d.msg.info.deliveryCount;
  const error = err instanceof Error ? err.message : String(err);
  if (count >= ctx.maxDeliveries) {
    ctx.logger.error(
      { err, seq: d.msg.seq, deliveries: count, requestId: d.message.requestId },
      "handler failed on every delivery",
    );
    await deadLetter(d.msg, error, ctx);
    return;
  }
  const delayMs = ctx.retryBackoffMs(count);
  ctx.logger.warn(
    { err, seq: d.msg.seq, deliveries: count, delayMs, requestId: d.message.requestId },
    "handler failed; will retry",
  );
  d.msg.nak(delayMs);
}

async function deadLetter<T>(msg: JsMsg, error: string, ctx: BatchContext<T>): Promise<void> {
  const dead: DeadLetter = {
    stream: ctx.stream,
    durable: ctx.durable,
    subject: msg.subject,
    seq: msg.seq,
    deliveryCount: msg.info.deliveryCount,
    headers: headersToRecord(msg.headers),
    payload: new Uint8Array(msg.data), // a copy: nats.js may hand out a view of its read buffer
    error,
  };
  try {
    await ctx.onDeadLetter(dead);
  } catch (err) {
    // Terminating a message whose dead letter was not recorded would lose it: redeliver instead.
    const delayMs = ctx.retryBackoffMs(dead.deliveryCount);
    ctx.logger.error(
      // eslint-disable-next-line security/detect-object-injection -- requestIdKey is a constant header name; a read, nothing is assigned
      { err, seq: msg.seq, delayMs, requestId: dead.headers[requestIdKey] },
      "recording a dead letter failed; will retry",
    );
    msg.nak(delayMs);
    return;
  }
  msg.term();
}

// The work is committed; a lost ack only means a redelivery after ack_wait, which the handler's
// idempotency absorbs. nats.js marks a message acked before the ack is confirmed, so an ackAck
// cannot be retried on the same message.
async function ackAll(msgs: JsMsg[], logger: Logger): Promise<void> {
  const results = await Promise.allSettled(msgs.map((m) => m.ackAck()));
  const failed = results.filter((r) => r.status === "rejected" || r.value !== true);
  if (failed.length > 0) {
    const err = failed.find((r) => r.status === "rejected")?.reason;
    logger.warn({ err, failed: failed.length }, "acks not confirmed; expect redelivery");
  }
}

function decode<T>(
  msg: JsMsg,
  headers: Record<string, string>,
  traced: Context,
  decoder: MessageDecoder<T>,
): ConsumedMessage<T> | string {
  let data: T;
  try {
    data = decoder(headers, msg.data);
  } catch (err) {
    if (err instanceof InvalidJsonError) return err.message;
    return `invalid message: ${err instanceof Error ? err.message : String(err)}`;
  }
  return {
    data,
    subject: msg.subject,
    seq: msg.seq,
    deliveryCount: msg.info.deliveryCount,
    headers,
    // eslint-disable-next-line security/detect-object-injection -- requestIdKey is a constant header name; a read, nothing is assigned
    requestId: headers[requestIdKey],
    context: traced,
  };
}
