import { HeaderName } from "@hookrail/contracts";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Context } from "@opentelemetry/api";
import { failSpan } from "./consume-span.js";
import { recordToHeaders } from "./headers.js";
import { PublishError, toPublishError } from "./publish-error.js";
import { startPublishSpan } from "./publish-span.js";
import { sendTurn } from "./send-turn.js";
import { injectTraceHeaders } from "./trace.js";

/** What JetStream said when it stored a message. */
export interface PublishAck {
  /** Sequence of the message in `stream`; for a duplicate, the sequence of the original. */
  seq: number;
  /** True when a message with the same msgId was already stored within the duplicate window. */
  duplicate: boolean;
  stream: string;
}

/** Per-message publish options. */
export interface PublishOptions {
  /** Deduplication key, sent as `Nats-Msg-Id`: the same id within the window is stored once. */
  msgId: string;
  /** Sent as `Hookrail-Message-Type` so consumers can dispatch without parsing first. */
  messageType: string;
  /** Sent as `X-Request-Id` when given. */
  requestId?: string;
  /** Extra headers. Hookrail's own headers and `Nats-Msg-Id` win over these. */
  headers?: Record<string, string>;
  /** The trace the message belongs to; the active context when omitted. */
  context?: Context;
}

/** One message of {@link Publisher.publishMany}. */
export interface PublishItem {
  subject: string;
  payload: unknown;
  opts: PublishOptions;
}

const encoder = new TextEncoder();

/**
 * The one way Hookrail writes to JetStream. Every publish waits for JetStream's acknowledgement,
 * so a resolved publish means the message is stored; every failure is a {@link PublishError}.
 */
export class Publisher {
  readonly #js: JetStreamClient;
  readonly #service: string;
  readonly #timeoutMs: number;
  #connected = true;

  constructor(nc: NatsConnection, opts: { service: string; timeoutMs?: number }) {
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (!opts.service) throw new TypeError("Publisher needs a service name");
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`Publisher timeoutMs must be a positive integer, got ${timeoutMs}`);
    }
    this.#js = jetstream(nc, { timeout: timeoutMs });
    this.#service = opts.service;
    this.#timeoutMs = timeoutMs;
    // If the status stream fails, assume connected: nats.js then reports its own errors.
    this.#watch(nc).catch(() => {
      this.#connected = true;
    });
  }

  /**
   * Publishes and resolves only once JetStream has acknowledged (stored) the message. A PRODUCER
   * span covers the publish, and its context travels in the headers (W3C traceparent).
   */
  async publish(subject: string, payload: unknown, opts: PublishOptions): Promise<PublishAck> {
    if (!opts.msgId) throw new TypeError(`publish to ${subject} needs a msgId`);
    const data = encode(subject, payload);
    const { span, context: traced } = startPublishSpan(subject, opts);
    try {
      const headers = recordToHeaders(this.#headerRecord(opts, traced));
      // While disconnected nats.js would buffer the request and report a timeout (outcome unknown),
      // although the message has not left the process. Failing now tells the caller the truth.
      if (!this.#connected) {
        throw new PublishError("unavailable", subject, "not connected to NATS");
      }
      // Sent together with the other publishes of this event loop turn (one write for all).
      await sendTurn();
      const ack = await this.#js
        .publish(subject, data, { msgID: opts.msgId, headers, timeout: this.#timeoutMs })
        .catch((err: unknown) => Promise.reject(toPublishError(err, subject)));
      span.setAttribute("messaging.nats.stream.sequence", ack.seq);
      if (ack.duplicate) span.setAttribute("messaging.nats.duplicate", true);
      return { seq: ack.seq, duplicate: ack.duplicate, stream: ack.stream };
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * Publishes all items at once (pipelined) and waits until every one has settled. Resolves with
   * the acks in item order; rejects with the first item's PublishError if any failed, after the
   * others have settled (those may be stored: retry them all with the same msgIds).
   */
  async publishMany(items: PublishItem[]): Promise<PublishAck[]> {
    const results = await Promise.allSettled(
      items.map((i) => this.publish(i.subject, i.payload, i.opts)),
    );
    const acks: PublishAck[] = [];
    for (const r of results) {
      if (r.status === "rejected") throw r.reason;
      acks.push(r.value);
    }
    return acks;
  }

  #headerRecord(opts: PublishOptions, traced: Context): Record<string, string> {
    const h: Record<string, string> = { ...opts.headers };
    injectTraceHeaders(h, traced);
    h[HeaderName.messageType] = opts.messageType;
    h[HeaderName.publisher] = this.#service;
    if (opts.requestId !== undefined) h[HeaderName.requestId] = opts.requestId;
    return h;
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") this.#connected = false;
      else if (s.type === "reconnect") this.#connected = true;
    }
  }
}

function encode(subject: string, payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  const json = JSON.stringify(payload);
  if (json === undefined) throw new TypeError(`publish to ${subject}: payload is not JSON`);
  return encoder.encode(json);
}
