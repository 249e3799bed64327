import { describe, expect, it } from "vitest";
import { verifyWebhook } from "./index.js";
import { stripeHeaders, unix } from "./test-support/sign-as.js";

const now = new Date("2026-03-01T12:00:00Z");
const t = unix(now);
const secret = "whsec_stripe_test_secret_1";
const body = Buffer.from(
  '{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid"}',
);

const verify = (headers: Record<string, string>, b = body, secrets = [secret]) =>
  verifyWebhook({ provider: "stripe", headers, body: b, secrets, now });

describe("stripe", () => {
  it("accepts a valid event with the body's id and type", () => {
    expect(verify(stripeHeaders(body, [secret], t - 10))).toEqual({
      ok: true,
      deliveryId: "evt_1NG8Du2eZvKYlo2CUI79vXWy",
      eventType: "invoice.paid",
    });
  });

  it("accepts any v1, ignores v0, and accepts the second secret during a rotation", () => {
    const h = stripeHeaders(body, ["whsec_old", "whsec_new"], t);
    expect(verify(h, body, ["whsec_new"])).toMatchObject({ ok: true });
    expect(verify(h, body, ["whsec_gone", "whsec_old"])).toMatchObject({ ok: true });
    const withV0 = { "stripe-signature": `${h["stripe-signature"]},v0=abc` };
    expect(verify(withV0, body, ["whsec_new"])).toMatchObject({ ok: true });
  });

  it("rejects a tampered body, a tampered timestamp and a wrong secret", () => {
    const h = stripeHeaders(body, [secret], t);
    const tampered = Buffer.from(body.toString().replace("invoice.paid", "invoice.void"));
    expect(verify(h, tampered)).toMatchObject({ error: { code: "bad_signature" } });
    const moved = {
      "stripe-signature": (h["stripe-signature"] ?? "").replace(`t=${t}`, `t=${t + 1}`),
    };
    expect(verify(moved)).toMatchObject({ error: { code: "bad_signature" } });
    expect(verify(h, body, ["whsec_wrong"])).toMatchObject({ error: { code: "bad_signature" } });
  });

  it("rejects timestamps more than 300 s old or ahead, and accepts exactly 300 s", () => {
    expect(verify(stripeHeaders(body, [secret], t - 301))).toMatchObject({
      error: { code: "stale_timestamp" },
    });
    expect(verify(stripeHeaders(body, [secret], t + 301))).toMatchObject({
      error: { code: "stale_timestamp" },
    });
    expect(verify(stripeHeaders(body, [secret], t - 300))).toMatchObject({ ok: true });
  });

  it("reports a forged stale request as a bad signature, not a stale one", () => {
    expect(verify(stripeHeaders(body, ["whsec_forger"], t - 3600))).toMatchObject({
      error: { code: "bad_signature" },
    });
  });

  it("names what is missing or malformed", () => {
    expect(verify({})).toMatchObject({ error: { code: "missing_signature" } });
    expect(verify({ "stripe-signature": "v1=00" })).toMatchObject({
      error: { code: "bad_signature" },
    });
    expect(verify({ "stripe-signature": `t=${t}` })).toMatchObject({
      error: { code: "bad_signature" },
    });
    const noId = Buffer.from('{"type":"invoice.paid"}');
    expect(verify(stripeHeaders(noId, [secret], t), noId)).toMatchObject({
      error: { code: "missing_delivery_id" },
    });
    const notJson = Buffer.from("id=evt_1");
    expect(verify(stripeHeaders(notJson, [secret], t), notJson)).toMatchObject({
      error: { code: "malformed_payload" },
    });
  });
});
