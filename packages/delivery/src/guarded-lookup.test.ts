import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADDRESS_BLOCKED,
  AddressBlockedError,
  checkUrl,
  createAddressGuard,
  createDispatcher,
  deliverWebhook,
  guardedLookup,
} from "./index.js";
import { fakeLookup, startServer, type TestServer } from "./test-support/servers.js";

const defaultGuard = createAddressGuard();
const loopbackGuard = createAddressGuard(["127.0.0.0/8"]);
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

type Answer = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[] };
function resolve(lookup: LookupFunction, host: string, all: boolean): Promise<Answer> {
  return new Promise((done) => lookup(host, { all }, (error, address) => done({ error, address })));
}

describe("guardedLookup", () => {
  it("refuses a name that resolves to loopback, naming the host and the address", async () => {
    const { error } = await resolve(
      guardedLookup(defaultGuard, fakeLookup("127.0.0.1")),
      "evil.example",
      true,
    );
    expect(error).toBeInstanceOf(AddressBlockedError);
    expect(error?.code).toBe(ADDRESS_BLOCKED);
    expect(error?.message).toBe(
      "address blocked: evil.example: 127.0.0.1 is in 127.0.0.0/8 (loopback)",
    );
  });

  it("refuses when ANY of the addresses is blocked, even if the caller wants only one", async () => {
    const lookup = guardedLookup(defaultGuard, fakeLookup("93.184.216.34", "::ffff:10.0.0.1"));
    for (const all of [true, false]) {
      const { error } = await resolve(lookup, "mixed.example", all);
      expect(error?.message).toMatch(/mixed\.example: ::ffff:10\.0\.0\.1 is 10\.0\.0\.1/);
    }
  });

  it("returns every address with options.all, the first one without", async () => {
    const lookup = guardedLookup(defaultGuard, fakeLookup("93.184.216.34", "2606:4700::1111"));
    expect(await resolve(lookup, "ok.example", true)).toEqual({
      error: null,
      address: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:4700::1111", family: 6 },
      ],
    });
    expect(await resolve(lookup, "ok.example", false)).toEqual({
      error: null,
      address: "93.184.216.34",
    });
  });

  it("passes DNS errors through, and treats an empty answer as not found", async () => {
    const failing: LookupFunction = (_host, _options, callback) =>
      callback(
        Object.assign(new Error("getaddrinfo ENOTFOUND nope.example"), { code: "ENOTFOUND" }),
        "",
      );
    expect(
      (await resolve(guardedLookup(defaultGuard, failing), "nope.example", true)).error?.code,
    ).toBe("ENOTFOUND");
    expect(
      (await resolve(guardedLookup(defaultGuard, fakeLookup()), "empty.example", true)).error?.code,
    ).toBe("ENOTFOUND");
  });
});

describe("checkUrl", () => {
  it.each([
    ["ftp://example.com/x", /unsupported scheme ftp/],
    ["not a url", /not a valid absolute URL/],
    ["http://127.0.0.1/hook", /127\.0\.0\.1 is in 127\.0\.0\.0\/8/],
    ["http://2130706433/hook", /127\.0\.0\.1 is in 127\.0\.0\.0\/8/],
    ["http://[::ffff:127.0.0.1]/hook", /is 127\.0\.0\.1/],
    ["https://evil.example/hook", /address blocked: evil\.example: 127\.0\.0\.1/],
  ])("refuses %s", async (url, reason) => {
    const verdict = await checkUrl(url, defaultGuard, fakeLookup("127.0.0.1"));
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(reason);
  });

  it("accepts http(s) URLs whose addresses are public, or allowed", async () => {
    expect(
      await checkUrl("https://good.example/x", defaultGuard, fakeLookup("93.184.216.34")),
    ).toEqual({ ok: true });
    expect(await checkUrl("http://[2606:4700::1111]:8080/x", defaultGuard)).toEqual({ ok: true });
    expect(await checkUrl("http://127.0.0.1:9/x", loopbackGuard)).toEqual({ ok: true });
  });

  it("refuses a name that does not resolve", async () => {
    const verdict = await checkUrl("https://nope.example/x", defaultGuard, fakeLookup());
    expect(verdict).toEqual({
      ok: false,
      reason: "cannot resolve nope.example: getaddrinfo ENOTFOUND nope.example",
    });
  });
});

describe("delivery to a name that resolves to loopback", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_received, res) => res.end("ok"));
  });
  afterAll(() => server.close());

  const request = (url: string) => ({
    url,
    deliveryId: "msg_rebind",
    body: "{}",
    contentType: "application/json",
    secrets: [secret],
    timeoutMs: 2000,
    maxResponseBytes: 1024,
  });

  it("is refused at connect time with the default guard, and nothing reaches the server", async () => {
    const lookup = fakeLookup("127.0.0.1");
    const url = `http://evil.example:${server.port}/hook`;
    const result = await deliverWebhook({ ...request(url), guard: defaultGuard, lookup });
    expect(result.statusCode).toBeNull();
    expect(result.error).toBe(
      "address blocked: evil.example: 127.0.0.1 is in 127.0.0.0/8 (loopback)",
    );
    expect(lookup.asked).toEqual(["evil.example"]);

    const dispatcher = createDispatcher({ guard: defaultGuard, lookup });
    const pooled = await dispatcher.deliver(request(url));
    dispatcher.close();
    expect(pooled.error).toMatch(/^address blocked: evil\.example/);
    expect(server.requests).toHaveLength(0);
  });

  it("is refused before the request when the URL holds a blocked IP literal", async () => {
    const result = await deliverWebhook({ ...request(server.url), guard: defaultGuard });
    expect(result.error).toBe("address blocked: 127.0.0.1 is in 127.0.0.0/8 (loopback)");
    const mapped = `http://[::ffff:127.0.0.1]:${server.port}/hook`;
    expect((await deliverWebhook({ ...request(mapped), guard: defaultGuard })).error).toMatch(
      /^address blocked/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("goes through the same injected lookup when loopback is allowed (the control)", async () => {
    const lookup = fakeLookup("127.0.0.1");
    const url = `http://evil.example:${server.port}/hook`;
    const result = await deliverWebhook({ ...request(url), guard: loopbackGuard, lookup });
    expect(result.statusCode).toBe(200);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.host).toBe(`evil.example:${server.port}`);
  });
});
