import { createServer, type Server } from "node:http";

/** One delivery as the subscriber saw it. */
export interface Receipt {
  /** The path it was posted to: which subscription it is for. */
  path: string;
  /** The `webhook-id` header: the delivery id, the same on every attempt of one delivery. */
  deliveryId: string;
  /** The load generator's id, read from the body. */
  webhookKey: string | undefined;
  status: number;
  at: number;
}

/**
 * The subscribers' endpoint on 127.0.0.1: records every delivery and answers 200. It can go
 * down (the port refuses connections) and come back on the same port.
 */
export class RecordingSubscriber {
  readonly receipts: Receipt[] = [];
  port = 0;
  #server: Server;
  #up = false;

  constructor() {
    this.#server = this.#create();
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  get isUp(): boolean {
    return this.#up;
  }

  async up(): Promise<void> {
    if (this.#up) return;
    this.#server = this.#create();
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.port, "127.0.0.1", () => resolve());
    });
    const address = this.#server.address();
    this.port = typeof address === "object" && address ? address.port : this.port;
    this.#up = true;
  }

  /** Stops listening and drops every open connection: attempts now fail to connect. */
  async down(): Promise<void> {
    if (!this.#up) return;
    this.#up = false;
    const server = this.#server;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  #create(): Server {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = 200;
        this.receipts.push({
          path: (req.url ?? "/").split("?")[0] ?? "/",
          deliveryId: String(req.headers["webhook-id"] ?? ""),
          webhookKey: keyOf(Buffer.concat(chunks)),
          status,
          at: Date.now(),
        });
        res.writeHead(status).end();
      });
    });
    server.keepAliveTimeout = 60_000;
    return server;
  }
}

// A body the suite made on purpose not to parse (a raw NUL byte) still carries its key.
function keyOf(body: Buffer): string | undefined {
  const text = body.toString("utf8");
  try {
    const parsed = JSON.parse(text) as { key?: unknown };
    return typeof parsed.key === "string" ? parsed.key : undefined;
  } catch {
    return /"key":"([^"]+)"/.exec(text)?.[1];
  }
}
