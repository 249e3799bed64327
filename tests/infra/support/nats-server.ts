import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../support/ports.js";
import { type Child, startChild, tcpOpen, waitUntil } from "./processes.js";
import { findTool } from "./tools.js";

/**
 * A nats-server of the test's own, with JetStream on a store in a temporary directory, on a free
 * port of 127.0.0.1. The machine's shared NATS on 4222 is never touched: stopping this one is
 * the broker fault of the fire drill. `start()` after `kill()` brings it back on the same port
 * with the same store, as a restarted server would be.
 */
export interface NatsServer {
  url: string;
  port: number;
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startNatsServer(): Promise<NatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "hookrail-drill-nats-"));
  let child: Child | undefined;
  const start = async () => {
    const c = startChild(
      findTool("nats-server"),
      ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir],
      "nats-server",
    );
    child = c;
    await waitUntil(
      () => tcpOpen(port),
      `nats-server on ${port}`,
      10_000,
      () => c.lines.join("\n"),
    );
  };
  await start();
  // A crash, not a goodbye: clients see their connection drop.
  const kill = async () => {
    await child?.stop("SIGKILL");
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    kill,
    start,
    destroy: async () => {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
