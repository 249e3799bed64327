import { describe, expect, it } from "vitest";
import { verifyWebhook } from "./index.js";
import { standardHeaders, unix } from "./test-support/sign-as.js";

const now = new Date("2026-03-01T12:00:00Z");
const ts = unix(now);
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const secret2 = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const body = Buffer.from('{"type":"invoice.paid","data":{"n":1}}');

const verify = (headers: Record<string, string>, b = body, secrets = [secret]) =>
  verifyWebhook({ provider: "standard-webhooks", headers, body: b, secrets, now });

describe("standard-webhooks", () => {
  it("passes the spec's reference vector (libraries/javascript, 'sign function works')", () => {
    const result = verifyWebhook({
      provider: "standard-webhooks",
      headers: {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
      },
      body: Buffer.from('{"test": 2432232314}'),
      secrets: [secret],
      now: new Date(1614265330 * 1000),
    });
    expect(result).toEqual({
      ok: true,
      deliveryId: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      eventType: "webhook",
    });
  });

  it("accepts a valid webhook with its id and the body's type", () => {
    expect(verify(standardHeaders(body, [secret], id, ts))).toEqual({
      ok: true,
      deliveryId: id,
      eventType: "invoice.paid",
    });
  });

  it("accepts a non-JSON body as type webhook, and a secret without the whsec_ prefix", () => {
    const text = Buffer.from("plain text");
    const h = standardHeaders(text, [secret], id, ts);
    expect(verify(h, text)).toMatchObject({ ok: true, eventType: "webhook" });
    expect(verify(h, text, [secret.slice("whsec_".length)])).toMatchObject({ ok: true });
  });

  it("accepts the second secret during a rotation and ignores other versions", () => {
    const h = standardHeaders(body, [secret, secret2], id, ts);
    expect(verify(h, body, [secret2])).toMatchObject({ ok: true });
    const v2 = `v2,${(h["webhook-signature"] ?? "").split(" ")[1]?.slice(3)}`;
    expect(verify({ ...h, "webhook-signature": v2 }, body, [secret2])).toMatchObject({
      error: { code: "bad_signature" },
    });
  });

  it("rejects a tampered body, id or timestamp, and a wrong secret", () => {
    const h = standardHeaders(body, [secret], id, ts);
    expect(verify(h, Buffer.from('{"type":"invoice.paid","data":{"n":2}}'))).toMatchObject({
      error: { code: "bad_signature" },
    });
    expect(verify({ ...h, "webhook-id": "msg_other" })).toMatchObject({
      error: { code: "bad_signature" },
    });
    expect(verify({ ...h, "webhook-timestamp": String(ts - 1) })).toMatchObject({
      error: { code: "bad_signature" },
    });
    expect(verify(h, body, [secret2])).toMatchObject({ error: { code: "bad_signature" } });
  });

  it("rejects timestamps more than 300 s old or ahead, after checking the signature", () => {
    expect(verify(standardHeaders(body, [secret], id, ts - 301))).toMatchObject({
      error: { code: "stale_timestamp" },
    });
    expect(verify(standardHeaders(body, [secret], id, ts + 301))).toMatchObject({
      error: { code: "stale_timestamp" },
    });
    expect(verify(standardHeaders(body, [secret2], id, ts - 3600))).toMatchObject({
      error: { code: "bad_signature" },
    });
  });

  it("names what is missing or malformed", () => {
    const h = standardHeaders(body, [secret], id, ts);
    const without = (name: string) =>
      Object.fromEntries(Object.entries(h).filter(([k]) => k !== name));
    expect(verify(without("webhook-signature"))).toMatchObject({
      error: { code: "missing_signature" },
    });
    expect(verify(without("webhook-timestamp"))).toMatchObject({
      error: { code: "missing_signature" },
    });
    expect(verify(without("webhook-id"))).toMatchObject({ error: { code: "missing_delivery_id" } });
    for (const bad of ["hello", `0${ts}`, `${ts}.5`]) {
      expect(verify({ ...h, "webhook-timestamp": bad })).toMatchObject({
        error: { code: "bad_signature" },
      });
    }
    for (const bad of [
      "v1,",
      "v1,dawfeoifkpqwoekfpqoekf",
      (h["webhook-signature"] ?? "").slice(0, 8),
    ]) {
      expect(verify({ ...h, "webhook-signature": bad })).toMatchObject({
        error: { code: "bad_signature" },
      });
    }
  });
});
