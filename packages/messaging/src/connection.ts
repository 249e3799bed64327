import type { NatsConnection, Status } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { skipCancelErrorOfAnsweredRequests } from "./request-cancel.js";

/** Connecting to NATS failed for a reason retrying will not fix (bad options, auth). */
export class NatsConnectError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NatsConnectError";
  }
}

// While the first connection is pending there is no status stream yet; say so now and then.
const WAITING_LOG_INTERVAL_MS = 10_000;

/**
 * Connects to NATS the way every Hookrail service must: waits for the first connection however
 * long it takes, and afterwards reconnects forever every second (nats.js gives up after 10 tries
 * by default). Every status change (disconnect, reconnect, error, …) is logged.
 */
export async function connectNats(opts: {
  servers: string[];
  name: string;
  logger: Logger;
}): Promise<NatsConnection> {
  if (opts.servers.length === 0)
    throw new NatsConnectError("connectNats needs at least one server");
  const logger = opts.logger.child({ nats: opts.name });
  const waiting = setInterval(
    () => logger.warn({ servers: opts.servers }, "still waiting for NATS"),
    WAITING_LOG_INTERVAL_MS,
  );
  skipCancelErrorOfAnsweredRequests();
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: opts.servers,
      name: opts.name,
      maxReconnectAttempts: -1,
      // nats.js otherwise builds two Error objects per request for async stack traces: with a
      // publish and an ackAck per webhook that was 19% of the processor's CPU (docs/performance.md).
      noAsyncTraces: true,
      reconnectTimeWait: 1000,
      waitOnFirstConnect: true,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new NatsConnectError(`cannot connect to NATS ${opts.servers.join(",")}: ${reason}`, {
      cause: err,
    });
  } finally {
    clearInterval(waiting);
  }
  logger.info({ server: nc.getServer() }, "NATS connected");
  logStatus(nc, logger).catch((err: unknown) => logger.error({ err }, "NATS status stream failed"));
  void nc.closed().then((err) => {
    if (err) logger.error({ err }, "NATS connection closed by an error");
  });
  return nc;
}

async function logStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const s of nc.status()) logOne(s, logger);
}

type Level = "trace" | "debug" | "info" | "warn" | "error";

function logOne(s: Status, logger: Logger): void {
  const [level, fields, msg] = describe(s);
  // eslint-disable-next-line security/detect-object-injection -- level is a Level returned by describe(), one of the logger's method names
  logger[level](fields, msg);
}

function describe(s: Status): [Level, Record<string, unknown>, string] {
  switch (s.type) {
    case "disconnect":
      return ["warn", { server: s.server }, "NATS disconnected"];
    case "reconnect":
      return ["info", { server: s.server }, "NATS reconnected"];
    case "reconnecting":
      return ["debug", {}, "NATS reconnecting"];
    case "error":
      return ["error", { err: s.error }, "NATS error"];
    case "ldm":
      return ["warn", { server: s.server }, "NATS server entering lame duck mode"];
    case "staleConnection":
      return ["warn", {}, "NATS connection stale"];
    case "slowConsumer":
      return ["warn", { subject: s.sub.getSubject(), pending: s.pending }, "NATS slow consumer"];
    case "update":
      return ["info", { added: s.added, deleted: s.deleted }, "NATS cluster changed"];
    case "ping":
      return ["trace", { pendingPings: s.pendingPings }, "NATS ping"];
    case "forceReconnect":
      return ["info", {}, "NATS forced reconnect"];
    case "close":
      return ["info", {}, "NATS connection closed"];
  }
}
