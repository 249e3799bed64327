import { createHash } from "node:crypto";
import { HmacOptions } from "@hookrail/contracts";
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "./index.js";
import { hmacDigest } from "./test-support/sign-as.js";

const now = new Date("2026-03-01T12:00:00Z");
const secret = "generic-secret";
const body = Buffer.from("event=order.created&id=42");

const verify = (
  headers: Record<string, string>,
  options?: HmacOptions,
  b = body,
  secrets = [secret],
) =>
  verifyWebhook({
    provider: "hmac-sha256",
    headers,
    body: b,
    secrets,
    now,
    ...(options && { options }),
  });

describe("hmac-sha256", () => {
  it("accepts hex under the default header, with the body hash as id and type webhook", () => {
    const hash = createHash("sha256").update(body).digest("hex");
    expect(verify({ "x-signature": hmacDigest(body, secret, "hex") })).toEqual({
      ok: true,
      deliveryId: `sha256:${hash}`,
      eventType: "webhook",
    });
  });

  it("tolerates a sha256= prefix, reads a configured header case-insensitively, and decodes base64", () => {
    const options = HmacOptions.parse({ signatureHeader: "X-Acme-Signature", encoding: "base64" });
    const sig = hmacDigest(body, secret, "base64");
    expect(verify({ "x-acme-signature": sig }, options)).toMatchObject({ ok: true });
    expect(verify({ "x-acme-signature": `sha256=${sig}` }, options)).toMatchObject({ ok: true });
    expect(verify({ "X-Acme-Signature": sig }, options)).toMatchObject({ ok: true });
    expect(verify({ "x-acme-signature": hmacDigest(body, secret, "hex") }, options)).toMatchObject({
      error: { code: "bad_signature" },
    });
  });

  it("takes id and type from configured headers when present", () => {
    const options = HmacOptions.parse({
      deliveryIdHeader: "X-Delivery",
      eventTypeHeader: "X-Event",
    });
    const sig = hmacDigest(body, secret, "hex");
    expect(
      verify({ "x-signature": sig, "x-delivery": "d-1", "x-event": "order.created" }, options),
    ).toEqual({
      ok: true,
      deliveryId: "d-1",
      eventType: "order.created",
    });
    expect(verify({ "x-signature": sig }, options)).toMatchObject({
      ok: true,
      eventType: "webhook",
    });
  });

  it("rejects a tampered body, a wrong secret, and accepts the second secret during a rotation", () => {
    const sig = hmacDigest(body, secret, "hex");
    expect(
      verify({ "x-signature": sig }, undefined, Buffer.from("event=order.created&id=43")),
    ).toMatchObject({
      error: { code: "bad_signature" },
    });
    expect(verify({ "x-signature": sig }, undefined, body, ["nope"])).toMatchObject({
      error: { code: "bad_signature" },
    });
    expect(verify({ "x-signature": sig }, undefined, body, ["old", secret])).toMatchObject({
      ok: true,
    });
  });

  it("names a missing signature", () => {
    expect(verify({})).toMatchObject({ error: { code: "missing_signature" } });
    expect(verify({ "x-signature": "" })).toMatchObject({ error: { code: "missing_signature" } });
  });
});
