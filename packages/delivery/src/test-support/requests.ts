import type { ServerResponse } from "node:http";
import { afterEach } from "vitest";
import { createAddressGuard } from "../address-guard.js";
import type { DeliveryRequest } from "../dispatch.js";
import { type Received, startServer, type TestServer } from "./servers.js";

/** Allows loopback only: the test servers' range. */
export const guard = createAddressGuard(["127.0.0.0/8"]);
/** Two secrets, as during a rotation. */
export const secrets = [
  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  "whsec_dGhlIG5ldyBzZWNyZXQgb2YgMzIgYnl0ZXMhIQ==",
];
export const now = new Date("2026-03-01T12:00:00Z");

/** Starts servers that are closed after each test of the calling file. */
export function serversPerTest(): (
  answer: (received: Received, res: ServerResponse) => void,
) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (answer) => {
    const server = await startServer(answer);
    servers.push(server);
    return server;
  };
}

/** A delivery to `url` with the loopback guard, a fixed clock and generous limits. */
export function request(url: string, overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  return {
    url,
    deliveryId: "msg_2mZ8cK",
    body: '{"type":"invoice.paid","data":{"amount":42}}',
    contentType: "application/json",
    secrets,
    headers: { "X-Request-Id": "req-123" },
    timeoutMs: 2000,
    maxResponseBytes: 64 * 1024,
    guard,
    now: () => now,
    ...overrides,
  };
}
