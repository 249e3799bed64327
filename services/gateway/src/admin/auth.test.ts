import type { AddressInfo } from "node:net";
import { problemHandler, Unauthenticated } from "@hookrail/http";
import { createLogger } from "@hookrail/observability";
import { FailureThrottle, MemoryLeaseStore, RateLimiter } from "@hookrail/rate-limit";
import express from "express";
import { afterAll, describe, expect, it } from "vitest";
import { type authenticator, type Principal, requireScope } from "./auth.js";

// F-14: the auth-failure throttle authenticates first (a valid key passes while its address is
// throttled) and keys on req.ip, which is the forwarded client only when `trust proxy` says so.

const VALID = "hr_valid-key-valid-key-valid";
const authenticate: ReturnType<typeof authenticator> = async (authorization) => {
  if (authorization !== `Bearer ${VALID}`) throw new Unauthenticated("the API key is not valid");
  return { keyId: "key_test", scopes: new Set(["events:read"]) } satisfies Principal;
};

const servers: Array<ReturnType<ReturnType<typeof express>["listen"]>> = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

/** A gateway-like app: one guarded route, `trust proxy` as given, a throttle of 3 a minute. */
async function app(trustProxy: false | number | string[]) {
  const app = express();
  app.set("trust proxy", trustProxy);
  const guard = requireScope(
    authenticate,
    {
      rateLimiter: new RateLimiter(new MemoryLeaseStore()),
      perKeyPerSecond: 0,
      authFailures: new FailureThrottle(3, () => 90_000),
    },
    "events:read",
  );
  app.get("/api/v1/events", guard, (_req, res) => void res.json({ ok: true }));
  app.use(problemHandler({ logger: createLogger({ service: "test", level: "silent" }) }));
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (key: string, forwardedFor?: string) => {
    const res = await fetch(`${base}/api/v1/events`, {
      headers: {
        authorization: `Bearer ${key}`,
        ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
      },
    });
    return { status: res.status, retryAfter: res.headers.get("retry-after") };
  };
}

const WRONG = "hr_wrong-key-wrong-key-wrong";

describe("requireScope: the auth-failure throttle (F-14)", () => {
  it("lets a valid key through while its address is throttled; failures answer 429 and keep counting", async () => {
    const get = await app(false);
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await get(WRONG)).status);
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    expect(await get(VALID)).toMatchObject({ status: 200 });
    expect(await get(WRONG)).toEqual({ status: 429, retryAfter: "30" });
    expect(await get(VALID)).toMatchObject({ status: 200 });
  });

  it("with trust proxy off, ignores X-Forwarded-For: a spoofed address stays throttled", async () => {
    const get = await app(false);
    for (let i = 0; i < 3; i++) await get(WRONG, `198.51.100.${i}`);
    expect((await get(WRONG, "203.0.113.50")).status).toBe(429);
    expect((await get(WRONG)).status).toBe(429);
  });

  it("with one trusted hop, throttles two forwarded clients independently", async () => {
    const get = await app(1);
    const a = [];
    for (let i = 0; i < 4; i++) a.push((await get(WRONG, "198.51.100.1")).status);
    expect(a).toEqual([401, 401, 401, 429]);
    expect((await get(WRONG, "198.51.100.2")).status).toBe(401);
    // The proxy appends what it saw; what the client wrote before that is not believed.
    expect((await get(WRONG, "198.51.100.2, 198.51.100.1")).status).toBe(429);
    expect((await get(VALID, "198.51.100.1")).status).toBe(200);
  });

  it("with the proxies' CIDRs, skips them to find the client", async () => {
    const get = await app(["127.0.0.0/8", "10.0.0.0/8"]);
    for (let i = 0; i < 3; i++) await get(WRONG, "198.51.100.9, 10.1.2.3");
    expect((await get(WRONG, "198.51.100.9")).status).toBe(429);
    expect((await get(WRONG, "198.51.100.10, 10.9.9.9")).status).toBe(401);
  });
});
