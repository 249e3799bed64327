import { JetStreamApiError } from "@nats-io/jetstream";
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from "@nats-io/nats-core";

/**
 * Why a publish failed, from the caller's point of view:
 * - `unavailable`: nothing will store the message right now (no connection, no JetStream, no
 *   stream for the subject). It was not stored; retry later.
 * - `stream_full`: the stream refused it (DiscardNew limits reached). It was not stored.
 * - `timeout`: no acknowledgement in time. The outcome is unknown: retry with the same msgId.
 * - `rejected`: anything else the server or client refused (a bug or a misconfiguration).
 */
export type PublishFailure = "unavailable" | "stream_full" | "timeout" | "rejected";

/** A JetStream publish that did not end in a stored-message acknowledgement. */
export class PublishError extends Error {
  readonly reason: PublishFailure;
  readonly subject: string;
  constructor(reason: PublishFailure, subject: string, message: string, options?: ErrorOptions) {
    super(`publish to ${subject} failed (${reason}): ${message}`, options);
    this.name = "PublishError";
    this.reason = reason;
    this.subject = subject;
  }
}

// JetStream API error codes that mean "the stream is out of room" (nats-server errors.json).
const STREAM_FULL_CODES = new Set([
  10077, // JSStreamStoreFailedF: "maximum messages/bytes exceeded" with DiscardNew
  10023, // JSInsufficientResourcesErr
]);

// JetStream API error code for "JetStream not enabled for account".
const JETSTREAM_NOT_ENABLED = 10039;

/**
 * Classifies an error thrown by nats.js during a JetStream publish. nats.js wraps a "no
 * responders" reply in `JetStreamNotEnabled` (not exported) with the RequestError as `cause`, so
 * the whole cause chain is examined: on the wire, "JetStream is off" and "no stream listens on
 * this subject" are the same 503.
 */
export function classifyPublishError(err: unknown): PublishFailure {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof JetStreamApiError) {
      if (STREAM_FULL_CODES.has(e.code)) return "stream_full";
      return e.code === JETSTREAM_NOT_ENABLED ? "unavailable" : "rejected";
    }
    if (e instanceof RequestError && e.isNoResponders()) return "unavailable";
    if (
      e instanceof NoRespondersError ||
      e instanceof ClosedConnectionError ||
      e instanceof DrainingConnectionError ||
      e instanceof ConnectionError
    ) {
      return "unavailable";
    }
    if (e instanceof TimeoutError) return "timeout";
  }
  return "rejected";
}

/** Wraps whatever nats.js threw in a PublishError that keeps the original as `cause`. */
export function toPublishError(err: unknown, subject: string): PublishError {
  if (err instanceof PublishError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PublishError(classifyPublishError(err), subject, message, { cause: err });
}
