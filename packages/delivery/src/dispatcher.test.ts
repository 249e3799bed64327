import { describe, expect, it } from "vitest";
import { createDispatcher } from "./index.js";
import { guard, now, request, serversPerTest } from "./test-support/requests.js";

const serve = serversPerTest();

describe("createDispatcher", () => {
  it("reuses keep-alive connections to the same origin", async () => {
    const server = await serve((_r, res) => res.end("ok"));
    const dispatcher = createDispatcher({ guard, now: () => now });
    try {
      const { guard: _g, now: _n, ...bare } = request(server.url);
      for (let i = 0; i < 5; i++) expect((await dispatcher.deliver(bare)).statusCode).toBe(200);
      expect(server.requests).toHaveLength(5);
      expect(server.connections).toBe(1);
      expect(server.requests[0]?.headers.connection).toBe("keep-alive");
    } finally {
      dispatcher.close();
    }
  });

  it("opens at most maxSocketsPerOrigin connections to one origin", async () => {
    const server = await serve((_r, res) => setTimeout(() => res.end("ok"), 20));
    const dispatcher = createDispatcher({ guard, maxSocketsPerOrigin: 3 });
    try {
      const { guard: _g, now: _n, ...bare } = request(server.url);
      const results = await Promise.all(Array.from({ length: 12 }, () => dispatcher.deliver(bare)));
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      expect(server.connections).toBe(3);
    } finally {
      dispatcher.close();
    }
  });

  it("closes idle pooled connections, but never an active request, after idleSocketTimeoutMs", async () => {
    const server = await serve((received, res) => {
      setTimeout(() => res.end("ok"), received.url === "/slow" ? 200 : 0);
    });
    const dispatcher = createDispatcher({ guard, idleSocketTimeoutMs: 50 });
    try {
      const { guard: _g, now: _n, ...bare } = request(`http://127.0.0.1:${server.port}/slow`);
      expect(await dispatcher.deliver(bare)).toMatchObject({ statusCode: 200, error: null });
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await dispatcher.deliver({ ...bare, url: server.url })).statusCode).toBe(200);
      expect(server.connections).toBe(2);
    } finally {
      dispatcher.close();
    }
  });
});
