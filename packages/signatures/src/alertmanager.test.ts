import { describe, expect, it } from "vitest";
import { verifyWebhook } from "./index.js";

const body = Buffer.from(
  JSON.stringify({ status: "firing", groupKey: '{}:{alertname="X"}', alerts: [] }),
);
const verify = (authorization: string | undefined, b = body) =>
  verifyWebhook({
    provider: "alertmanager",
    headers: authorization ? { authorization } : {},
    body: b,
    secrets: ["token-1234567890"],
    now: new Date(),
  });

describe("alertmanager provider", () => {
  it("accepts the source's bearer token; the type follows the status, the id the body", () => {
    const r = verify("Bearer token-1234567890");
    expect(r.ok && r.eventType).toBe("alertmanager.firing");
    expect(r.ok && r.deliveryId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const again = verify("Bearer token-1234567890");
    expect(again.ok && r.ok && again.deliveryId === r.deliveryId).toBe(true);
  });

  it("refuses a wrong or missing token, and a body that is not JSON", () => {
    expect(verify("Bearer token-1234567891")).toMatchObject({
      ok: false,
      error: { code: "bad_signature" },
    });
    expect(verify("Basic dG9rZW4=")).toMatchObject({
      ok: false,
      error: { code: "missing_signature" },
    });
    expect(verify(undefined)).toMatchObject({ ok: false, error: { code: "missing_signature" } });
    expect(verify("Bearer token-1234567890", Buffer.from("not json"))).toMatchObject({
      ok: false,
      error: { code: "malformed_payload" },
    });
  });
});
