import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/**
 * A subscriber endpoint on 127.0.0.1 that records every delivery. `respond` decides the status
 * of each (default 200), so a test can make it fail, throttle or recover.
 */
export async function startSubscriber(
  respond: (
    delivery: ReceivedDelivery,
    index: number,
  ) => number | { status: number; headers?: Record<string, string> } = () => 200,
): Promise<{
  url: string;
  received: ReceivedDelivery[];
  server: Server;
  close: () => Promise<void>;
}> {
  const received: ReceivedDelivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(delivery);
      const answer = respond(delivery, received.length - 1);
      const { status, headers } =
        typeof answer === "number" ? { status: answer, headers: {} } : answer;
      res.writeHead(status, headers).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Polls `condition` until true, or fails with `what` after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
