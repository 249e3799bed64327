import { randomUUID } from "node:crypto";
import { type Topology, topology } from "@hookrail/contracts";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { type Logger, pino } from "pino";

/** The machine's real NATS (see tests/support/global-setup.ts). */
export const NATS_SERVERS = ["127.0.0.1:4222"];

/** A topology under a fresh prefix, so test files and tests never share streams. */
export function freshTopology(): Topology {
  return topology(`t${randomUUID().slice(0, 8)}`);
}

export function testConnection(): Promise<NatsConnection> {
  return connect({ servers: NATS_SERVERS, name: "messaging-test" });
}

/** Deletes the streams (and so the consumers) of every topology; missing ones are fine. */
export async function deleteTopologies(nc: NatsConnection, topologies: Topology[]): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const t of topologies) {
    for (const s of Object.values(t.streams)) await jsm.streams.delete(s.name).catch(() => false);
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger that keeps every line in memory, for assertions on what was logged. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "trace" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
