import { deterministicUuid, HeaderName, type Topology, webhookHeaders } from "@hookrail/contracts";
import { openDatabase } from "@hookrail/event-store";
import { consumerBacklogs } from "@hookrail/messaging";
import { jetstream } from "@nats-io/jetstream";
import { connect, headers as natsHeaders } from "@nats-io/transport-node";
import { sql } from "kysely";
import type { RateResult } from "./ceilings.js";
import type { Ledger } from "./ledger.js";

/**
 * Queues webhooks straight onto the webhooks stream, as the gateway would have published them
 * (same headers, same msgID, the body as the payload), `window` at a time: a backlog of 200,000
 * in seconds rather than minutes of HTTP. Each goes into the ledger, so its delivery is checked.
 */
export async function fillBacklog(
  natsUrl: string,
  t: Topology,
  o: { sourceId: string; count: number; window: number; bodyBytes: number; runId: string },
  ledger: Ledger,
  log: (line: string) => void,
): Promise<RateResult> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const js = jetstream(nc);
  const subject = t.subjects.webhookReceived(o.sourceId);
  const pad = "x".repeat(Math.max(0, o.bodyBytes - 80));
  let n = 0;
  let lastLog = performance.now();
  const start = performance.now();
  const lane = async () => {
    while (n < o.count) {
      const id = `${o.runId}.backlog.${n++}`;
      const webhookId = deterministicUuid(o.sourceId, id);
      const h = natsHeaders();
      const meta = webhookHeaders({
        webhookId,
        sourceId: o.sourceId,
        provider: "github",
        providerDeliveryId: id,
        eventType: "push",
        receivedAt: new Date().toISOString(),
        contentType: "application/json",
      });
      for (const [k, v] of Object.entries(meta)) h.set(k, v);
      h.set(HeaderName.messageType, "webhook.received");
      h.set(HeaderName.requestId, id);
      ledger.sent(id, "backlog");
      const body = JSON.stringify({ action: "backlog", bench: { id }, pad });
      await js.publish(subject, body, { msgID: webhookId, headers: h });
      ledger.answered(id, 202);
      if (performance.now() - lastLog > 2000) {
        lastLog = performance.now();
        log(`backlog: ${n} of ${o.count} queued`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.window }, lane));
  const seconds = (performance.now() - start) / 1000;
  await nc.close();
  return { count: o.count, seconds, rate: o.count / seconds };
}

export interface DrainResult {
  /** Events the processor appended while draining. */
  events: number;
  /** From the first appended event to the consumer's backlog reaching zero, s. */
  seconds: number;
  eventsPerSecond: number;
  /** Messages still pending when the time ran out (0: drained). */
  leftPending: number;
}

/**
 * Watches the processor drain its consumer: the event store's last position and the consumer's
 * pending count every 250 ms, until both are still (the backlog is empty) or `timeoutMs`.
 */
export async function watchDrain(
  natsUrl: string,
  databaseUrl: string,
  consumer: { stream: string; durable: string },
  timeoutMs: number,
  log: (line: string) => void,
): Promise<DrainResult> {
  const nc = await connect({ servers: natsUrl });
  const store = openDatabase({ url: databaseUrl, poolSize: 1, applicationName: "bench-drain" });
  const position = async () => {
    const { rows } = await sql<{ p: string | null }>`SELECT max(position) AS p FROM events`.execute(
      store.db,
    );
    return Number(rows[0]?.p ?? 0);
  };
  const pending = async () => {
    const [b] = await consumerBacklogs(nc, [consumer]);
    return b ? b.pending + b.ackPending : Number.NaN;
  };
  try {
    const base = await position();
    const deadline = performance.now() + timeoutMs;
    let first: number | undefined;
    let last = performance.now();
    let latest = base;
    let left = await pending();
    let lastLog = performance.now();
    while (performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const [p, q] = await Promise.all([position(), pending()]);
      if (p > latest) {
        first ??= performance.now() - 250;
        last = performance.now();
        latest = p;
      }
      left = q;
      if (performance.now() - lastLog > 2000) {
        lastLog = performance.now();
        log(`drain: ${latest - base} events appended, ${q} webhooks pending`);
      }
      if (left === 0 && first !== undefined) break;
    }
    const seconds = first === undefined ? 0 : (last - first) / 1000;
    const events = latest - base;
    return { events, seconds, eventsPerSecond: seconds ? events / seconds : 0, leftPending: left };
  } finally {
    await store.close();
    await nc.close();
  }
}
