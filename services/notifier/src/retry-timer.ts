import { deliveryRequest, type Topology } from "@hookrail/contracts";
import { claimDueAttempts, type Database } from "@hookrail/event-store";
import type { Publisher } from "@hookrail/messaging";
import type { Logger } from "@hookrail/observability";
import type { Kysely } from "kysely";

export interface RetryTimerOptions {
  db: Kysely<Database>;
  publisher: Publisher;
  topology: Topology;
  logger: Logger;
  intervalMs: number;
  /** A claimed timer fires again after this long if its attempt was not recorded meanwhile. */
  leaseMs?: number;
  batchSize?: number;
}

/**
 * Turns due retry timers (Postgres) into retry requests on the retry lane (JetStream). Timers
 * live in Postgres, not in NAK delays, so a schedule of days survives restarts and is visible.
 * Returns a stop function that waits for the tick in progress.
 */
export function startRetryTimer(options: RetryTimerOptions): () => Promise<void> {
  const { db, publisher, topology, logger } = options;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const tick = async (): Promise<void> => {
    for (;;) {
      const due = await claimDueAttempts(db, options.batchSize ?? 500, options.leaseMs ?? 60_000);
      if (due.length === 0) return;
      await publisher.publishMany(
        due.map((d) => {
          const r = deliveryRequest(topology, d, "retry");
          // One msgID per claim, not per attempt: an attempt deferred by an open circuit is
          // requested again under its own number, and JetStream would drop that as a copy of the
          // deferred request for the whole duplicate window. Copies of one claim still collapse,
          // and a request for an attempt already made is skipped by the notifier.
          const msgId = `${r.msgId}:${d.dueAt.getTime()}`;
          return {
            subject: r.subject,
            payload: r.payload,
            opts: { msgId, messageType: r.payload.kind },
          };
        }),
      );
      logger.debug({ count: due.length }, "retries requested");
      if (stopped) return;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err) =>
          logger.warn({ err }, "retry timer tick failed; the lease brings the timers back"),
        )
        .finally(schedule);
    }, options.intervalMs);
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
