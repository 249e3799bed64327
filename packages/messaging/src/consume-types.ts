import type { Context } from "@opentelemetry/api";
import type { Logger } from "pino";

/** A message that decoded and parsed, handed to `handleBatch`. */
export interface ConsumedMessage<T> {
  data: T;
  subject: string;
  /** Stream sequence: stable across redeliveries, usable as a resume point. */
  seq: number;
  /** 1 on first delivery; counted by the server across redeliveries. */
  deliveryCount: number;
  /** All headers, keys lowercased. */
  headers: Record<string, string>;
  /** The `X-Request-Id` header, when present. */
  requestId: string | undefined;
  /** The publisher's trace context, for `context.with` (ROOT_CONTEXT without a propagator). */
  context: Context;
}

/** A message given up on: poison (undecodable), or its handler failed on every delivery. */
export interface DeadLetter {
  stream: string;
  durable: string;
  subject: string;
  seq: number;
  deliveryCount: number;
  headers: Record<string, string>;
  /** The exact bytes received, so the message can be inspected or replayed. */
  payload: Uint8Array;
  error: string;
}

/** What {@link ConsumerOptions.onBatch} reports after each batch. */
export interface BatchInfo {
  size: number;
  durationMs: number;
  /** `partial` when any message was dead-lettered or scheduled for redelivery. */
  outcome: "ok" | "partial";
}

/** A running consume loop. */
export interface ConsumerHandle {
  /**
   * Stops pulling, lets the batches in flight finish and be acknowledged, returns messages that
   * were received but not started to the server (nak), then resolves.
   */
  stop(): Promise<void>;
  /** Resolves when the loop has ended: after stop(), or when the connection closed for good. */
  readonly done: Promise<void>;
}

/** Options of {@link startConsumer}. */
export interface ConsumerOptions<T> {
  stream: string;
  durable: string;
  logger: Logger;
  /**
   * Turns a message into `T`. Give `parse` for JSON messages (it validates the decoded value) or
   * `decode` for messages that need their headers or raw bytes. Throwing marks the message poison.
   */
  parse?: (raw: unknown) => T;
  decode?: MessageDecoder<T>;
  /** Commits the work of a batch. Resolving means done: the messages are then acknowledged. */
  handleBatch: (messages: ConsumedMessage<T>[]) => Promise<void>;
  /** Records a dead letter durably. Called before the message is terminated; if it throws, the
   * message is redelivered instead. */
  onDeadLetter: (dead: DeadLetter) => Promise<void>;
  /** Messages per fetch; default 100. */
  batchSize?: number;
  /** Batches handled at once; default 1 (one transaction at a time). */
  concurrency?: number;
  /** Deliveries after which a failing message is dead-lettered; default 5. */
  maxDeliveries?: number;
  /** Redelivery delay after a handler failure on delivery n; default `defaultRetryBackoffMs`. */
  retryBackoffMs?: (deliveryCount: number) => number;
  /** Metrics hook, called after every non-empty batch. */
  onBatch?: (info: BatchInfo) => void;
}

/** Decodes a message from its headers (keys lowercased) and payload; throws when malformed. */
export type MessageDecoder<T> = (headers: Record<string, string>, payload: Uint8Array) => T;

// fatal: bytes that are not UTF-8 make the message poison instead of being silently replaced.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The decoder of a JSON message whose value `parse` validates. */
export function jsonDecoder<T>(parse: (raw: unknown) => T): MessageDecoder<T> {
  return (_headers, payload) => {
    let raw: unknown;
    try {
      raw = JSON.parse(utf8.decode(payload));
    } catch (err) {
      throw new InvalidJsonError(err);
    }
    return parse(raw);
  };
}

/** The payload was not UTF-8 JSON (as opposed to JSON of the wrong shape). */
export class InvalidJsonError extends Error {
  constructor(cause: unknown) {
    super(`invalid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "InvalidJsonError";
  }
}
