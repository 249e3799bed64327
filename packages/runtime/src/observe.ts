import { type ConsumerBacklog, consumerBacklogs, type NatsConnection } from "@hookrail/messaging";
import { natsReconnects, observeGauge, processingDuration } from "@hookrail/observability";

/** pg pool connections: total, idle, and requests waiting for one (exhaustion shows here). */
export function observePool(pool: {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}): void {
  observeGauge(
    "hookrail.db.pool.connections",
    "Postgres pool connections, by state (total, idle)",
    () => [
      { value: pool.totalCount, attributes: { state: "total" } },
      { value: pool.idleCount, attributes: { state: "idle" } },
    ],
  );
  observeGauge(
    "hookrail.db.pool.waiting",
    "Queries waiting for a free Postgres pool connection",
    () => [{ value: pool.waitingCount }],
  );
}

/** 1 while connected to NATS, 0 otherwise; and a count of reconnections. */
export function observeNats(nc: NatsConnection): void {
  let connected = 1;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") connected = 0;
      if (s.type === "reconnect") {
        connected = 1;
        natsReconnects().add(1);
      }
    }
  })().catch(() => undefined);
  observeGauge("hookrail.nats.connected", "1 while the process is connected to NATS", () => [
    { value: nc.isClosed() ? 0 : connected },
  ]);
}

/**
 * The backlog of each durable consumer, asked of JetStream at each scrape: messages not yet
 * delivered (pending) and delivered but not yet acknowledged (ack_pending).
 */
export function observeConsumers(
  nc: NatsConnection,
  consumers: ReadonlyArray<{ stream: string; durable: string }>,
): void {
  // One JetStream request per consumer per second, shared by the two gauges, and never more
  // than 250 ms of a scrape: with NATS down /metrics must still answer (the broker alert needs it).
  let known = { at: 0, backlogs: [] as ConsumerBacklog[] };
  let inFlight: Promise<void> | undefined;
  const read = async () => {
    if (Date.now() - known.at < 1000) return known.backlogs;
    inFlight ??= consumerBacklogs(nc, consumers)
      .then(
        (backlogs) => {
          known = { at: Date.now(), backlogs };
        },
        () => undefined,
      )
      .finally(() => {
        inFlight = undefined;
      });
    await Promise.race([inFlight, new Promise((r) => setTimeout(r, 250))]);
    return Date.now() - known.at < 5000 ? known.backlogs : [];
  };
  observeGauge(
    "hookrail.consumer.pending",
    "Messages in the stream not yet delivered to the durable consumer",
    async () =>
      (await read()).map((b) => ({
        value: b.pending,
        attributes: { stream: b.stream, consumer: b.durable },
      })),
  );
  observeGauge(
    "hookrail.consumer.ack_pending",
    "Messages delivered to the durable consumer and not yet acknowledged",
    async () =>
      (await read()).map((b) => ({
        value: b.ackPending,
        attributes: { stream: b.stream, consumer: b.durable },
      })),
  );
}

/** The consumer's onBatch hook: how long each batch took, by consumer and outcome. */
export function recordBatch(durable: string) {
  return (info: { size: number; durationMs: number; outcome: string }) =>
    processingDuration().record(info.durationMs / 1000, {
      consumer: durable,
      outcome: info.outcome,
    });
}
