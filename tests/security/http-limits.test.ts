import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.js";

// The gateway's HTTP limits below the application (API4 in docs/security.md): Node's 16 KiB
// header limit (431) and the server's header and request timeouts, which cut off a client that
// sends a request too slowly (services/gateway/src/main.ts: headersTimeout 10 s, requestTimeout
// 30 s). Node enforces both timeouts on a timer that runs every 30 s
// (`connectionsCheckingInterval`), so a slow client is cut off after the timeout and at most
// 30 s more. Spoken over raw sockets: an HTTP client would not send a request this broken.

const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const CHECK_INTERVAL_MS = 30_000;
const SLACK_MS = 10_000;

let cluster: Cluster;
let port: number;

beforeAll(async () => {
  cluster = await startCluster({ services: ["gateway"], env: { LOG_LEVEL: "warn" } });
  port = Number(new URL(cluster.gatewayUrl).port);
}, 90_000);

afterAll(async () => {
  await cluster?.destroy();
});

interface Exchange {
  /** What the server wrote before it closed the connection. */
  answer: string;
  /** Milliseconds from the first byte sent to the close. */
  closedAfterMs: number;
}

/** Opens a connection, hands it to `talk`, and resolves once the server has closed it. */
function converse(talk: (socket: Socket) => void, giveUpMs: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let started = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on("connect", () => {
      started = Date.now();
      talk(socket);
    });
    socket.on("data", (c: Buffer) => chunks.push(c));
    // A reset after the answer is a close too.
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({
        answer: Buffer.concat(chunks).toString("latin1"),
        closedAfterMs: Date.now() - started,
      });
    });
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

describe("HTTP limits of the gateway", () => {
  it("refuses request headers over 16 KiB with 431, and answers ones just under", async () => {
    const request = (headerBytes: number) =>
      `GET /api/v1/sources HTTP/1.1\r\nHost: x\r\nX-Padding: ${"a".repeat(headerBytes)}\r\nConnection: close\r\n\r\n`;
    const huge = await converse((s) => s.write(request(20_000)), 10_000);
    expect(statusOf(huge.answer), huge.answer.slice(0, 200)).toBe(431);
    const fine = await converse((s) => s.write(request(12_000)), 10_000);
    // Under the limit the request reaches the application: no key, so 401.
    expect(statusOf(fine.answer), fine.answer.slice(0, 200)).toBe(401);
  });

  it(
    "cuts off a client that sends its headers too slowly, and one that sends its body too slowly",
    async () => {
      // Headers that never end: a byte every second, never the blank line.
      const slowHeaders = converse(
        (socket) => {
          socket.write("POST /api/v1/webhooks/src_slow HTTP/1.1\r\nHost: x\r\n");
          const drip = setInterval(() => socket.writable && socket.write("X-Drip: 1\r\n"), 1000);
          socket.on("close", () => clearInterval(drip));
        },
        HEADERS_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS,
      );
      // Whole headers, then a body announced as 1 MB that comes a byte a second.
      const slowBody = converse(
        (socket) => {
          socket.write(
            "POST /api/v1/webhooks/src_slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{",
          );
          const drip = setInterval(() => socket.writable && socket.write(" "), 1000);
          socket.on("close", () => clearInterval(drip));
        },
        REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS,
      );
      const [headers, body] = await Promise.all([slowHeaders, slowBody]);
      console.log(
        `slow clients: headers cut after ${headers.closedAfterMs} ms (${statusOf(headers.answer)}), body after ${body.closedAfterMs} ms (${statusOf(body.answer)})`,
      );
      // Not before the timeout (the limit is what cut it, not something else) …
      expect(headers.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
      // … and with 408 when it says anything (Node answers 408 unless a response has begun).
      expect([0, 408]).toContain(statusOf(headers.answer));
      // The body's request never reached a handler (its source does not exist: that would be
      // 404); only the request timeout ends it.
      expect(body.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 500);
      expect([0, 408]).toContain(statusOf(body.answer));
    },
    REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS + 10_000,
  );

  it("still answers after the slow clients were cut off", async () => {
    const ok = await converse(
      (s) => s.write("GET /api/v1/sources HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      10_000,
    );
    expect(statusOf(ok.answer)).toBe(401);
  });
});
