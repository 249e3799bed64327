import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";

/** A durable consumer's backlog: not yet delivered, and delivered but not yet acknowledged. */
export interface ConsumerBacklog {
  stream: string;
  durable: string;
  pending: number;
  ackPending: number;
  redelivered: number;
}

/** Asks JetStream for the backlog of each consumer; a consumer it cannot read is left out. */
export async function consumerBacklogs(
  nc: NatsConnection,
  consumers: ReadonlyArray<{ stream: string; durable: string }>,
  timeoutMs = 2000,
): Promise<ConsumerBacklog[]> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  const infos = await Promise.all(
    consumers.map((c) =>
      jsm.consumers.info(c.stream, c.durable).then(
        (info) => ({ c, info }),
        () => undefined,
      ),
    ),
  );
  return infos.flatMap((x) =>
    x
      ? [
          {
            stream: x.c.stream,
            durable: x.c.durable,
            pending: x.info.num_pending,
            ackPending: x.info.num_ack_pending,
            redelivered: x.info.num_redelivered,
          },
        ]
      : [],
  );
}
