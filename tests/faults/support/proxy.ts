import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

interface Link {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP proxy on 127.0.0.1 in front of one of the suite's own servers, with toxics after
 * toxiproxy's: `latency` (every chunk held back, both directions, order kept), `blackhole`
 * (connections are accepted and kept but nothing is forwarded either way, like a partition
 * that TCP rides out; `heal` lets the held bytes through) and `reset` (every open connection is
 * cut with an RST).
 */
export class ToxicProxy {
  port = 0;
  latencyMs = 0;
  readonly #links = new Set<Link>();
  #server: Server | undefined;
  #blackholed = false;

  constructor(
    readonly name: string,
    readonly targetPort: number,
  ) {}

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<number> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    this.#server = server;
    return this.port;
  }

  /** Holds every chunk back `ms` from now on (0 turns the toxic off). */
  latency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Stops forwarding in both directions on every connection, old and new. */
  blackhole(): void {
    this.#blackholed = true;
    for (const { client, upstream } of this.#links) {
      client.pause();
      upstream.pause();
    }
  }

  /** Ends the blackhole: what was held is forwarded, then traffic flows again. */
  heal(): void {
    this.#blackholed = false;
    for (const { client, upstream } of this.#links) {
      client.resume();
      upstream.resume();
    }
  }

  /** Cuts every open connection with a TCP RST on both sides. Returns how many were cut. */
  reset(): number {
    const n = this.#links.size;
    for (const link of this.#links) this.#cut(link, true);
    return n;
  }

  /** How many connections are open through the proxy. */
  get connections(): number {
    return this.#links.size;
  }

  async close(): Promise<void> {
    this.#blackholed = false;
    for (const link of this.#links) this.#cut(link, true);
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    const upstream = tcpConnect(this.targetPort, "127.0.0.1");
    const link = { client, upstream };
    this.#links.add(link);
    this.#forward(client, upstream);
    this.#forward(upstream, client);
    for (const s of [client, upstream]) {
      s.on("error", () => this.#cut(link, true));
      s.on("close", () => this.#cut(link, false));
    }
    if (this.#blackholed) {
      client.pause();
      upstream.pause();
    }
  }

  #forward(from: Socket, to: Socket): void {
    // Chunks leave in order: each is due no earlier than the one before it.
    let lastDue = 0;
    from.on("data", (chunk: Buffer) => {
      if (this.latencyMs <= 0 && lastDue <= Date.now()) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      const due = Math.max(Date.now() + this.latencyMs, lastDue);
      lastDue = due;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, due - Date.now());
    });
    from.on("end", () => to.end());
  }

  /** Closes both sides of a link: with an RST (`reset`), or plainly after a normal close. */
  #cut(link: Link, reset: boolean): void {
    if (!this.#links.delete(link)) return;
    for (const s of [link.client, link.upstream]) {
      if (s.destroyed) continue;
      // An RST needs a connected socket; one still connecting is just destroyed.
      if (reset && s.readyState === "open") s.resetAndDestroy();
      else s.destroy();
    }
  }
}
