import { verifyWebhook } from "@hookrail/signatures";
import { describe, expect, it } from "vitest";
import { deliverWebhook } from "./index.js";
import { now, request, secrets, serversPerTest } from "./test-support/requests.js";

const serve = serversPerTest();

describe("deliverWebhook against real local servers", () => {
  it("POSTs the exact bytes, signed the Standard Webhooks way", async () => {
    const server = await serve((_r, res) =>
      res.writeHead(200, { "content-type": "text/plain" }).end("thanks"),
    );
    // Multi-byte UTF-8 and bytes that are not UTF-8 at all: any re-encoding would show.
    const body = Buffer.concat([
      Buffer.from('{"note":"caf\u00e9 \u2615"}'),
      Buffer.from([0xff, 0xfe, 0, 10]),
    ]);
    const result = await deliverWebhook(request(server.url, { body }));

    expect(result).toMatchObject({ statusCode: 200, error: null, responseBody: "thanks" });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const [received] = server.requests;
    expect(received?.method).toBe("POST");
    expect(received?.body.equals(body)).toBe(true);
    expect(received?.headers).toMatchObject({
      "content-type": "application/json",
      "content-length": String(body.length),
      "user-agent": "Hookrail-Webhooks/1.0",
      "x-request-id": "req-123",
      "webhook-id": "msg_2mZ8cK",
      "webhook-timestamp": String(now.getTime() / 1000),
    });
    expect(received?.headers["webhook-signature"]?.toString().split(" ")).toHaveLength(2);
    for (const secret of secrets) {
      const verdict = verifyWebhook({
        provider: "standard-webhooks",
        headers: received?.headers ?? {},
        body: received?.body ?? Buffer.alloc(0),
        secrets: [secret],
        now,
      });
      expect(verdict).toEqual({ ok: true, deliveryId: "msg_2mZ8cK", eventType: "webhook" });
    }
  });

  it("reports a 500, a 410 and a 429 with its Retry-After as they came", async () => {
    const server = await serve((received, res) => {
      if (received.url === "/500") res.writeHead(500).end("boom");
      else if (received.url === "/410") res.writeHead(410).end();
      else res.writeHead(429, { "retry-after": "7" }).end();
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect(await deliverWebhook(request(`${base}/500`))).toMatchObject({
      statusCode: 500,
      error: null,
      responseBody: "boom",
    });
    expect(await deliverWebhook(request(`${base}/410`))).toMatchObject({
      statusCode: 410,
      retryAfter: undefined,
    });
    expect(await deliverWebhook(request(`${base}/429`))).toMatchObject({
      statusCode: 429,
      retryAfter: "7",
    });
  });

  it("never follows a redirect", async () => {
    const target = await serve((_r, res) => res.end("you should not be here"));
    const redirector = await serve((_r, res) => res.writeHead(302, { location: target.url }).end());
    const result = await deliverWebhook(request(redirector.url));
    expect(result).toMatchObject({ statusCode: 302, error: null });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.requests).toHaveLength(0);
  });

  it("gives up on a receiver that never answers within the timeout", async () => {
    const server = await serve(() => {});
    const started = performance.now();
    const result = await deliverWebhook(request(server.url, { timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ statusCode: null, error: "timeout after 300 ms" });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  it("reads at most maxResponseBytes of a 10 MB body, then drops the connection", async () => {
    let serverSaw: "finished" | "cut off" | undefined;
    const server = await serve((_r, res) => {
      res.on("close", () => {
        serverSaw = res.writableFinished ? "finished" : "cut off";
      });
      res.writeHead(200).end(Buffer.alloc(10 * 1024 * 1024, "a"));
    });
    const started = performance.now();
    const result = await deliverWebhook(request(server.url, { maxResponseBytes: 64 * 1024 }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ statusCode: 200, error: null });
    expect(result.responseBody).toBe("a".repeat(64 * 1024));
    await expect.poll(() => serverSaw, { timeout: 1000 }).toBe("cut off");
  });

  it("returns a refused connection as a value", async () => {
    const result = await deliverWebhook(request("http://127.0.0.1:1/hook"));
    expect(result).toMatchObject({
      statusCode: null,
      error: "connect ECONNREFUSED 127.0.0.1:1",
      responseBody: "",
    });
  });

  it("returns a bad URL as a value", async () => {
    expect((await deliverWebhook(request("file:///etc/passwd"))).error).toMatch(
      /^invalid URL: unsupported scheme/,
    );
  });
});
