import { describe, expect, it } from "vitest";
import { verifyWebhook } from "./index.js";
import { githubHeaders } from "./test-support/sign-as.js";

const now = new Date("2026-03-01T12:00:00Z");
const secret = "gh-secret-one";
const body = Buffer.from('{"action":"opened","number":7}');
const delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

const verify = (
  headers: Record<string, string | string[] | undefined>,
  b = body,
  secrets = [secret],
) => verifyWebhook({ provider: "github", headers, body: b, secrets, now });

describe("github", () => {
  it("accepts a valid delivery with its id and event", () => {
    expect(verify(githubHeaders(body, secret, delivery, "pull_request"))).toEqual({
      ok: true,
      deliveryId: delivery,
      eventType: "pull_request",
    });
  });

  it("uses the first value of a repeated header", () => {
    const h = githubHeaders(body, secret, delivery, "push");
    expect(
      verify({ ...h, "x-hub-signature-256": [h["x-hub-signature-256"] ?? "", "sha256=00"] }).ok,
    ).toBe(true);
  });

  it("rejects a tampered body and a wrong secret", () => {
    const h = githubHeaders(body, secret, delivery, "push");
    expect(verify(h, Buffer.from('{"action":"closed","number":7}'))).toMatchObject({
      ok: false,
      error: { code: "bad_signature" },
    });
    expect(verify(githubHeaders(body, "other", delivery, "push"))).toMatchObject({
      error: { code: "bad_signature" },
    });
  });

  it("accepts the second secret during a rotation", () => {
    const h = githubHeaders(body, "gh-secret-two", delivery, "push");
    expect(verify(h, body, [secret, "gh-secret-two"])).toMatchObject({ ok: true });
  });

  it("names what is missing", () => {
    const { "x-hub-signature-256": _, ...noSig } = githubHeaders(body, secret, delivery, "push");
    expect(verify(noSig)).toMatchObject({ error: { code: "missing_signature" } });
    const { "x-github-delivery": __, ...noId } = githubHeaders(body, secret, delivery, "push");
    expect(verify(noId)).toMatchObject({ error: { code: "missing_delivery_id" } });
    const { "x-github-event": ___, ...noEvent } = githubHeaders(body, secret, delivery, "push");
    expect(verify(noEvent)).toMatchObject({ ok: true, eventType: "webhook" });
  });

  it("rejects a signature that is not sha256=<hex>, and the legacy sha1 form", () => {
    const h = githubHeaders(body, secret, delivery, "push");
    const hex = (h["x-hub-signature-256"] ?? "").slice("sha256=".length);
    for (const bad of [hex, `sha1=${hex}`, `sha256=${hex.slice(2)}`, `sha256=${hex}zz`]) {
      expect(verify({ ...h, "x-hub-signature-256": bad })).toMatchObject({
        error: { code: "bad_signature" },
      });
    }
  });

  it("refuses a header value over 8 KiB as malformed", () => {
    const h = githubHeaders(body, secret, delivery, "push");
    expect(verify({ ...h, "x-github-delivery": "d".repeat(8 * 1024 + 1) })).toMatchObject({
      error: { code: "malformed_payload" },
    });
  });
});
