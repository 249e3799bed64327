import { HmacOptions, type ProviderName } from "@hookrail/contracts";
import { describe, expect, it } from "vitest";
import { BODY_SIGNING_PROVIDERS, generateSigningSecret, signAs, verifyWebhook } from "./index.js";
import { seeded } from "./test-support/sign-as.js";

const now = new Date("2026-03-01T12:00:00Z");

describe("verifyWebhook", () => {
  it("throws on caller bugs rather than refusing the request", () => {
    const input = { provider: "github" as const, headers: {}, body: Buffer.alloc(0), now };
    expect(() => verifyWebhook({ ...input, secrets: [] })).toThrow(TypeError);
    expect(() => verifyWebhook({ ...input, secrets: [""] })).toThrow(TypeError);
    expect(() => verifyWebhook({ ...input, secrets: ["s"], toleranceSeconds: -1 })).toThrow(
      RangeError,
    );
  });

  it("honours a custom tolerance", () => {
    const body = Buffer.from('{"id":"evt_1","type":"t"}');
    const headers = signAs("stripe", {
      body,
      secret: "whsec_x",
      now: new Date(now.getTime() - 60_000),
    });
    const input = { provider: "stripe" as const, headers, body, secrets: ["whsec_x"], now };
    expect(verifyWebhook({ ...input, toleranceSeconds: 30 })).toMatchObject({
      error: { code: "stale_timestamp" },
    });
    expect(verifyWebhook({ ...input, toleranceSeconds: 60 })).toMatchObject({ ok: true });
  });

  it("refuses ids and types longer than a WebhookReceivedMessage allows", () => {
    const body = Buffer.from("{}");
    const headers = signAs("github", { body, secret: "s", now, deliveryId: "d".repeat(513) });
    expect(verifyWebhook({ provider: "github", headers, body, secrets: ["s"], now })).toMatchObject(
      {
        error: { code: "malformed_payload" },
      },
    );
    const long = signAs("github", {
      body,
      secret: "s",
      now,
      deliveryId: "d",
      eventType: "e".repeat(257),
    });
    expect(
      verifyWebhook({ provider: "github", headers: long, body, secrets: ["s"], now }),
    ).toMatchObject({
      error: { code: "malformed_payload" },
    });
  });

  // F-04 (docs/security.md): such a webhook used to get its 202, then be dead-lettered by the
  // processor, which cannot store it.
  it("refuses a delivery id or event type Postgres cannot store (NUL, unpaired surrogate)", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const bodies = [
      '{"id":"evt_1","type":"order.\\u0000created"}',
      '{"id":"evt_\\u0000","type":"order.created"}',
      '{"id":"evt_1","type":"order.\\ud800"}',
      '{"id":"evt_\\udc00x","type":"order.created"}',
    ];
    for (const provider of ["stripe", "standard-webhooks"] as const) {
      for (const text of bodies) {
        const body = Buffer.from(text);
        const headers = signAs(provider, { body, secret, now, deliveryId: "msg_1" });
        const result = verifyWebhook({ provider, headers, body, secrets: [secret], now });
        // Standard Webhooks takes its id from a header: only the `type` cases apply to it.
        if (provider === "standard-webhooks" && text.includes('"type":"order.created"')) {
          expect(result, text).toMatchObject({ ok: true });
        } else {
          expect(result, `${provider} ${text}`).toMatchObject({
            ok: false,
            error: { code: "malformed_payload" },
          });
        }
      }
    }
    // A paired surrogate (an emoji) is fine, escaped or not.
    for (const text of ['{"id":"evt_1","type":"\\ud83d\\ude00"}', '{"id":"evt_😀","type":"😀"}']) {
      const body = Buffer.from(text);
      const headers = signAs("stripe", { body, secret, now });
      expect(
        verifyWebhook({ provider: "stripe", headers, body, secrets: [secret], now }),
      ).toMatchObject({ ok: true });
    }
  });

  // Property: for random bodies, the signed original verifies and any single changed byte does not.
  it("accepts 500 random signed bodies per provider and rejects each with one byte flipped", () => {
    const random = seeded(20260301);
    const options = HmacOptions.parse({ encoding: "base64" });
    for (const provider of BODY_SIGNING_PROVIDERS) {
      const secret = generateSigningSecret();
      for (let run = 0; run < 500; run++) {
        const body = randomBody(provider, random);
        const headers = signAs(provider, { body, secret, now, options });
        const input = { provider, headers, secrets: [secret], now, options };
        expect(verifyWebhook({ ...input, body }).ok).toBe(true);

        const flipped = Buffer.from(body);
        const at = Math.floor(random() * flipped.length);
        flipped[at] = (flipped[at] ?? 0) ^ (1 + Math.floor(random() * 255));
        expect(verifyWebhook({ ...input, body: flipped })).toMatchObject({
          error: { code: "bad_signature" },
        });
      }
    }
  });
});

function randomBody(provider: ProviderName, random: () => number): Buffer {
  const bytes = Buffer.alloc(1 + Math.floor(random() * 512));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  // Stripe reads id and type from the body, so its original must be a JSON event.
  if (provider !== "stripe") return bytes;
  return Buffer.from(
    JSON.stringify({
      id: `evt_${bytes.toString("hex").slice(0, 16)}`,
      type: "t",
      data: bytes.toString("latin1"),
    }),
  );
}
