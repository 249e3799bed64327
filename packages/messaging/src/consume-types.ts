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
   * Stops fetching, lets the in-flight fetch run out (at most maxWaitMs) and its batch finish and
   * be acknowledged, then resolves.
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
  /** Validates one decoded JSON value; throwing marks the message as poison. */
  parse: (raw: unknown) => T;
  /** Commits the work of a batch. Resolving means done: the messages are then acknowledged. */
  handleBatch: (messages: ConsumedMessage<T>[]) => Promise<void>;
  /** Records a dead letter durably. Called before the message is terminated; if it throws, the
   * message is redelivered instead. */
  onDeadLetter: (dead: DeadLetter) => Promise<void>;
  /** Messages per fetch; default 100. */
  batchSize?: number;
  /** How long a fetch waits to fill its batch, in ms; default 1000, at least 1000 (nats.js). */
  maxWaitMs?: number;
  /** Deliveries after which a failing message is dead-lettered; default 5. */
  maxDeliveries?: number;
  /** Redelivery delay after a handler failure on delivery n; default `defaultRetryBackoffMs`. */
  retryBackoffMs?: (deliveryCount: number) => number;
  /** Metrics hook, called after every non-empty batch. */
  onBatch?: (info: BatchInfo) => void;
}
