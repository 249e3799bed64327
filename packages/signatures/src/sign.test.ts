import { HmacOptions } from "@hookrail/contracts";
import { describe, expect, it } from "vitest";
import {
  BODY_SIGNING_PROVIDERS,
  generateSigningSecret,
  signAs,
  signStandardWebhook,
  timingSafeEqualBytes,
  verifyWebhook,
} from "./index.js";
import {
  githubHeaders,
  hmacDigest,
  standardHeaders,
  stripeHeaders,
  unix,
} from "./test-support/sign-as.js";

const now = new Date("2026-03-01T12:00:00Z");

describe("signStandardWebhook", () => {
  it("reproduces the spec's reference vector", () => {
    const headers = signStandardWebhook({
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    });
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("signs with every secret during a rotation, so either one verifies", () => {
    const [a, b] = [generateSigningSecret(), generateSigningSecret()];
    const body = Buffer.from('{"type":"x"}');
    const headers = signStandardWebhook({
      id: "msg_1",
      timestamp: unix(now),
      body,
      secrets: [a, b],
    });
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(headers).toEqual(standardHeaders(body, [a, b], "msg_1", unix(now)));
    for (const secret of [a, b]) {
      expect(
        verifyWebhook({ provider: "standard-webhooks", headers, body, secrets: [secret], now }).ok,
      ).toBe(true);
    }
  });

  it("throws on caller bugs", () => {
    const ok = { id: "msg_1", timestamp: 1, body: "", secrets: [generateSigningSecret()] };
    expect(() => signStandardWebhook({ ...ok, secrets: [] })).toThrow(TypeError);
    expect(() => signStandardWebhook({ ...ok, timestamp: 1.5 })).toThrow(RangeError);
    expect(() => signStandardWebhook({ ...ok, id: "" })).toThrow(TypeError);
    expect(() => signStandardWebhook({ ...ok, secrets: ["whsec_not base64!"] })).toThrow(TypeError);
  });
});

describe("generateSigningSecret", () => {
  it("is whsec_ plus the base64 of 32 random bytes", () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(secret);
  });
});

describe("timingSafeEqualBytes", () => {
  it("compares bytes and answers false on unequal lengths instead of throwing", () => {
    expect(timingSafeEqualBytes(Buffer.from("abc"), Buffer.from("abc"))).toBe(true);
    expect(timingSafeEqualBytes(Buffer.from("abc"), Buffer.from("abd"))).toBe(false);
    expect(timingSafeEqualBytes(Buffer.from("abc"), Buffer.from("abcd"))).toBe(false);
    expect(timingSafeEqualBytes(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });
});

describe("signAs", () => {
  const body = Buffer.from('{"id":"evt_9","type":"thing.happened"}');

  it("produces exactly the providers' headers", () => {
    const gh = signAs("github", { body, secret: "s", now, deliveryId: "d-1", eventType: "push" });
    expect(gh).toMatchObject(githubHeaders(body, "s", "d-1", "push"));
    expect(signAs("stripe", { body, secret: "whsec_s", now })).toMatchObject(
      stripeHeaders(body, ["whsec_s"], unix(now)),
    );
    const secret = generateSigningSecret();
    expect(signAs("standard-webhooks", { body, secret, now, deliveryId: "msg_9" })).toMatchObject(
      standardHeaders(body, [secret], "msg_9", unix(now)),
    );
    expect(signAs("hmac-sha256", { body, secret: "s", now })).toEqual({
      "x-signature": hmacDigest(body, "s", "hex"),
    });
  });

  it("signs webhooks that verifyWebhook accepts, for every provider", () => {
    const options = HmacOptions.parse({
      deliveryIdHeader: "X-Id",
      eventTypeHeader: "X-Type",
      encoding: "base64",
    });
    for (const provider of BODY_SIGNING_PROVIDERS) {
      const secret = provider === "standard-webhooks" ? generateSigningSecret() : "a-secret";
      const headers = signAs(provider, {
        body,
        secret,
        now,
        deliveryId: "evt_9",
        eventType: "thing.happened",
        options,
      });
      expect(verifyWebhook({ provider, headers, body, secrets: [secret], now, options })).toEqual({
        ok: true,
        deliveryId: "evt_9",
        eventType: "thing.happened",
      });
    }
  });
});
