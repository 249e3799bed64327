import { createServer } from "node:net";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterEach, describe, expect, it } from "vitest";
import { connectNats, PublishError, Publisher } from "./index.js";
import { delay, memoryLogger, until } from "./test-support/nats.js";
import { TcpProxy } from "./test-support/proxy.js";

let proxy: TcpProxy | undefined;
let nc: NatsConnection | undefined;
afterEach(async () => {
  await nc?.close();
  await proxy?.stop();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const address = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof address === "object" && address ? address.port : 0;
}

describe("connectNats", () => {
  it("waits for a server that is not up yet, then logs disconnects and reconnects", async () => {
    const { logger, lines } = memoryLogger();
    proxy = new TcpProxy();
    proxy.port = await freePort();
    let connected = false;
    const connecting = connectNats({
      servers: [`127.0.0.1:${proxy.port}`],
      name: "connection-test",
      logger,
    }).then((c) => {
      connected = true;
      return c;
    });
    await delay(1500);
    expect(connected).toBe(false); // waitOnFirstConnect: no error, still trying
    await proxy.start();
    nc = await connecting;
    expect(lines.some((l) => l.msg === "NATS connected")).toBe(true);

    await proxy.stop();
    await until("disconnect logged", () => lines.some((l) => l.msg === "NATS disconnected"));
    await delay(2500); // longer than several reconnect waits: it must not give up
    await proxy.start();
    await until("reconnect logged", () => lines.some((l) => l.msg === "NATS reconnected"));
    expect(lines.find((l) => l.msg === "NATS disconnected")?.level).toBe(40);
    expect(lines.some((l) => l.msg === "NATS reconnecting")).toBe(true);
    expect(lines.every((l) => l.nats === "connection-test")).toBe(true);
  });

  it("a Publisher fails fast with unavailable while the connection is down", async () => {
    const { logger } = memoryLogger();
    proxy = new TcpProxy();
    await proxy.start();
    nc = await connectNats({ servers: [`127.0.0.1:${proxy.port}`], name: "pub-down", logger });
    const publisher = new Publisher(nc, { service: "connection-test", timeoutMs: 5000 });
    const down = new Promise<void>((resolve) => {
      (async () => {
        for await (const s of nc?.status() ?? []) if (s.type === "disconnect") return resolve();
      })();
    });
    await proxy.stop();
    await down;
    const started = Date.now();
    const err = await publisher
      .publish("anything.at.all", {}, { msgId: "down-1", messageType: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect((err as PublishError).reason).toBe("unavailable");
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
