import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy in front of the real NATS that a test can take down and bring back on the same
 * port: the way to make "the server is gone" happen without touching the shared server.
 */
export class TcpProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;
  readonly #target: number;

  constructor(targetPort = 4222) {
    this.#target = targetPort;
  }

  /** Listens on `port` (0 picks a free one the first time) and resolves with it. */
  async start(): Promise<number> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.#target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("error", () => s.destroy());
        s.on("close", () => this.#sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    const address = server.address();
    if (address && typeof address === "object") this.port = address.port;
    this.#server = server;
    return this.port;
  }

  /** Stops listening and cuts every connection. */
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
