import { errors, type NatsConnection } from "@nats-io/nats-core";
import { RequestOne } from "@nats-io/nats-core/internal";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectNats } from "./index.js";
import { skipCancelErrorOfAnsweredRequests } from "./request-cancel.js";
import { memoryLogger, NATS_SERVERS } from "./test-support/nats.js";

describe("requests answered by nats.js build no 'cancelled' error", () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connectNats({
      servers: NATS_SERVERS,
      name: "request-cancel-test",
      ...memoryLogger(),
    });
  });
  afterAll(() => nc.close());

  it("applies to nats.js's RequestOne as installed", () => {
    expect(skipCancelErrorOfAnsweredRequests()).toBe(true);
  });

  it("resolves without rejecting afterwards, and still stops the timer and leaves the mux", () => {
    const request = Object.create(RequestOne.prototype) as {
      resolver(err: Error | null, msg: unknown): void;
    };
    const deferred = { resolve: vi.fn(), reject: vi.fn() };
    const timer = { cancel: vi.fn() };
    const mux = { cancel: vi.fn() };
    Object.assign(request, { deferred, timer, mux });
    request.resolver(null, "answer");
    expect(deferred.resolve).toHaveBeenCalledWith("answer");
    expect(deferred.reject).not.toHaveBeenCalled();
    expect(timer.cancel).toHaveBeenCalled();
    expect(mux.cancel).toHaveBeenCalledWith(request);
  });

  it("still rejects a request that fails before an answer", () => {
    const request = Object.create(RequestOne.prototype) as {
      resolver(err: Error | null, msg: unknown): void;
      cancel(err?: Error): void;
    };
    const deferred = { resolve: vi.fn(), reject: vi.fn() };
    Object.assign(request, { deferred, timer: { cancel: vi.fn() }, mux: { cancel: vi.fn() } });
    request.cancel();
    expect(deferred.reject).toHaveBeenCalledWith(expect.any(errors.RequestError));
  });

  it("answers, times out and reports no responders over a real connection", async () => {
    const subject = `request-cancel.${Date.now()}`;
    const sub = nc.subscribe(subject, {
      callback: (_err, msg) => {
        msg.respond("pong");
      },
    });
    const answer = await nc.request(subject, "ping", { timeout: 2000 });
    expect(answer.string()).toBe("pong");
    sub.unsubscribe();
    await nc.flush();
    await expect(nc.request(`${subject}.nobody`, "ping", { timeout: 500 })).rejects.toThrow(
      /no responders/i,
    );
    const silent = nc.subscribe(`${subject}.silent`, { callback: () => {} });
    await nc.flush();
    await expect(nc.request(`${subject}.silent`, "ping", { timeout: 300 })).rejects.toThrow(
      /timeout/i,
    );
    silent.unsubscribe();
  });
});
