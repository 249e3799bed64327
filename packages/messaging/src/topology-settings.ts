/** Size and time limits of every Hookrail stream. */
export interface StreamLimits {
  maxBytes: number;
  maxAgeMs: number;
  /** How long JetStream remembers a `Nats-Msg-Id` to drop duplicates. */
  duplicateWindowMs: number;
  replicas: number;
}

/** 1 GiB, 7 days, a 2 minute duplicate window (the server's default), one replica. */
export const defaultStreamLimits: StreamLimits = {
  maxBytes: 1024 ** 3,
  maxAgeMs: 7 * 24 * 3600_000,
  duplicateWindowMs: 120_000,
  replicas: 1,
};

/** Settings of every durable consumer. */
export interface ConsumerSettings {
  /** How long the server waits for an ack before redelivering. */
  ackWaitMs: number;
  /** Unacknowledged messages the server hands out before it pauses delivery. */
  maxAckPending: number;
}

/** 30 s ack wait and 1000 pending acks: the JetStream defaults. */
export const defaultConsumerSettings: ConsumerSettings = { ackWaitMs: 30_000, maxAckPending: 1000 };

/** Declaring the topology failed: bad limits, or the server refused a stream or consumer. */
export class TopologyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TopologyError";
  }
}

/** Throws a TopologyError naming every invalid setting. */
export function validateSettings(l: StreamLimits, c: ConsumerSettings): void {
  const problems: string[] = [];
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v <= 0)
      problems.push(`${name} must be a positive integer, got ${v}`);
  };
  positive("maxBytes", l.maxBytes);
  positive("maxAgeMs", l.maxAgeMs);
  positive("duplicateWindowMs", l.duplicateWindowMs);
  positive("ackWaitMs", c.ackWaitMs);
  positive("maxAckPending", c.maxAckPending);
  if (!Number.isInteger(l.replicas) || l.replicas < 1 || l.replicas > 5) {
    problems.push(`replicas must be 1 to 5, got ${l.replicas}`);
  }
  // The server refuses a duplicate window longer than the stream keeps messages.
  if (l.duplicateWindowMs > l.maxAgeMs) problems.push("duplicateWindowMs must not exceed maxAgeMs");
  if (problems.length > 0)
    throw new TopologyError(`invalid topology settings: ${problems.join("; ")}`);
}

/** The stream and consumer settings a service's configuration asks for (unset: the defaults). */
export function topologySettings(config: {
  NATS_STREAM_REPLICAS?: number;
  NATS_ACK_WAIT?: number;
}): [Partial<StreamLimits>, Partial<ConsumerSettings>] {
  return [
    config.NATS_STREAM_REPLICAS === undefined ? {} : { replicas: config.NATS_STREAM_REPLICAS },
    config.NATS_ACK_WAIT === undefined ? {} : { ackWaitMs: config.NATS_ACK_WAIT },
  ];
}
