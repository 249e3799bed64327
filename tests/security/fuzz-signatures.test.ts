import { createHmac } from "node:crypto";
import type { HmacOptions, ProviderName } from "@hookrail/contracts";
import { type HeaderBag, verifyWebhook } from "@hookrail/signatures";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

// Property tests of verifyWebhook for the four signing providers, and the token of the fifth
// (alertmanager), pure, no I/O. The expected signatures
// are computed here with node:crypto from each provider's documented scheme, not with the
// package's own signer, so a shared mistake cannot make both sides agree.
//   - an untouched webhook verifies;
//   - every single-byte change of the body, of a signed id or timestamp, or of the signature's
//     digest is refused (random inputs, plus every position × every byte value of one input);
//   - a timestamp outside the 5-minute window is refused;
//   - nothing a request can carry makes the verifier throw (a throw would be a 500).
// GitHub and the generic HMAC scheme sign the body only: their delivery id is not covered, and a
// test below pins that (finding F-09 in docs/security.md).

const NOW = new Date("2026-11-29T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);
const RUNS = Number(process.env.FUZZ_SIGNATURE_RUNS ?? 1_000);
const OPTIONS: HmacOptions = {
  signatureHeader: "X-Acme-Signature",
  encoding: "base64",
  deliveryIdHeader: "X-Acme-Id",
  eventTypeHeader: "X-Acme-Event",
};
const PROVIDERS: ProviderName[] = ["github", "stripe", "standard-webhooks", "hmac-sha256"];
const counts = new Map<string, number>();
const count = (name: string, n = 1) => counts.set(name, (counts.get(name) ?? 0) + n);

afterAll(() => {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `signature properties: ${total} verifications; ${[...counts].map(([k, n]) => `${k}=${n}`).join(" ")}`,
  );
});

interface Signed {
  provider: ProviderName;
  secret: string;
  body: Buffer;
  id: string;
  ts: number;
}

const hmac = (key: string | Buffer, ...parts: (string | Buffer)[]) => {
  const mac = createHmac("sha256", key);
  for (const p of parts) mac.update(p);
  return mac.digest();
};

/** The headers each provider sends, from its documentation. */
function headersOf(w: Signed): Record<string, string> {
  switch (w.provider) {
    case "github":
      return {
        "x-hub-signature-256": `sha256=${hmac(w.secret, w.body).toString("hex")}`,
        "x-github-delivery": w.id,
        "x-github-event": "push",
      };
    case "stripe":
      return {
        "stripe-signature": `t=${w.ts},v1=${hmac(w.secret, `${w.ts}.`, w.body).toString("hex")}`,
      };
    case "standard-webhooks": {
      const key = Buffer.from(w.secret.slice("whsec_".length), "base64");
      return {
        "webhook-id": w.id,
        "webhook-timestamp": String(w.ts),
        "webhook-signature": `v1,${hmac(key, `${w.id}.${w.ts}.`, w.body).toString("base64")}`,
      };
    }
    case "hmac-sha256":
      return {
        "x-acme-signature": hmac(w.secret, w.body).toString("base64"),
        "x-acme-id": w.id,
        "x-acme-event": "order.created",
      };
  }
  throw new Error(`unknown provider ${String(w.provider)}`);
}

const verify = (w: Signed, headers: HeaderBag, body = w.body) =>
  verifyWebhook({
    provider: w.provider,
    headers,
    body,
    secrets: [w.secret],
    now: NOW,
    options: w.provider === "hmac-sha256" ? OPTIONS : undefined,
  });

const idChars = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 64,
});

/** A webhook of `provider`, signed within the window. Stripe's id rides in its JSON body. */
const signed = (provider: ProviderName): fc.Arbitrary<Signed> =>
  fc
    .record({
      secret: fc
        .uint8Array({ minLength: 24, maxLength: 64 })
        .map((b) => `whsec_${Buffer.from(b).toString("base64")}`),
      payload: fc.uint8Array({ maxLength: 512 }),
      json: fc.jsonValue({ maxDepth: 2 }),
      id: idChars,
      skew: fc.integer({ min: -300, max: 300 }),
    })
    .map(({ secret, payload, json, id, skew }) => ({
      provider,
      secret,
      id,
      ts: T + skew,
      body:
        provider === "stripe"
          ? Buffer.from(JSON.stringify({ id, type: "invoice.paid", data: json }))
          : Buffer.from(payload),
    }));

/** The header carrying the signature and a function replacing one byte of its digest. */
function flipSignature(w: Signed, headers: Record<string, string>, at: number, xor: number) {
  const flip = (digest: Buffer) => {
    const copy = Buffer.from(digest);
    const i = at % copy.length;
    copy[i] = (copy[i] ?? 0) ^ xor;
    return copy;
  };
  const out = { ...headers };
  switch (w.provider) {
    case "github":
      out["x-hub-signature-256"] =
        `sha256=${flip(Buffer.from((out["x-hub-signature-256"] ?? "").slice(7), "hex")).toString("hex")}`;
      break;
    case "stripe":
      out["stripe-signature"] = (out["stripe-signature"] ?? "").replace(
        /v1=([0-9a-f]+)/,
        (_, h: string) => `v1=${flip(Buffer.from(h, "hex")).toString("hex")}`,
      );
      break;
    case "standard-webhooks":
      out["webhook-signature"] =
        `v1,${flip(Buffer.from((out["webhook-signature"] ?? "").slice(3), "base64")).toString("base64")}`;
      break;
    case "hmac-sha256":
      out["x-acme-signature"] = flip(Buffer.from(out["x-acme-signature"] ?? "", "base64")).toString(
        "base64",
      );
      break;
  }
  return out;
}

/** Replaces the character at `at` with another one (a different byte, latin1). */
function replaceChar(text: string, at: number, byte: number): string {
  const i = at % text.length;
  const next = String.fromCharCode(byte === text.charCodeAt(i) ? (byte + 1) % 256 : byte);
  return `${text.slice(0, i)}${next}${text.slice(i + 1)}`;
}

describe.each(PROVIDERS)("verifyWebhook, %s", (provider) => {
  it("accepts an untouched webhook", () => {
    fc.assert(
      fc.property(signed(provider), (w) => {
        count(`${provider}:original`);
        const result = verify(w, headersOf(w));
        expect(result.ok).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses every single-byte change of the body (random inputs)", () => {
    fc.assert(
      fc.property(signed(provider), fc.nat(), fc.integer({ min: 1, max: 255 }), (w, at, xor) => {
        fc.pre(w.body.length > 0);
        count(`${provider}:body-byte`);
        const body = Buffer.from(w.body);
        const i = at % body.length;
        body[i] = (body[i] ?? 0) ^ xor;
        expect(verify(w, headersOf(w), body).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses every single-byte change of the body (every position × every value of one body)", () => {
    const w: Signed = {
      provider,
      secret: `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
      id: "msg_exhaustive",
      ts: T,
      body: Buffer.from(
        provider === "stripe"
          ? '{"id":"evt_exhaustive","type":"invoice.paid"}'
          : '{"exhaustive":"every position, every value"}',
      ),
    };
    const headers = headersOf(w);
    expect(verify(w, headers).ok).toBe(true);
    for (let i = 0; i < w.body.length; i++) {
      for (let xor = 1; xor < 256; xor++) {
        const mutated = Buffer.from(w.body);
        mutated[i] = (mutated[i] ?? 0) ^ xor;
        count(`${provider}:body-exhaustive`);
        if (verify(w, headers, mutated).ok)
          throw new Error(`byte ${i} ^ ${xor} of the body verified`);
      }
    }
  });

  it("refuses every single-byte change of the signature's digest", () => {
    fc.assert(
      fc.property(signed(provider), fc.nat(31), fc.integer({ min: 1, max: 255 }), (w, at, xor) => {
        count(`${provider}:signature-byte`);
        expect(verify(w, flipSignature(w, headersOf(w), at, xor)).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  if (provider === "stripe" || provider === "standard-webhooks") {
    it("refuses every single-byte change of the signed timestamp", () => {
      fc.assert(
        fc.property(signed(provider), fc.nat(), fc.integer({ min: 0, max: 255 }), (w, at, byte) => {
          count(`${provider}:timestamp-byte`);
          const headers = headersOf(w);
          if (provider === "stripe") {
            const t = String(w.ts);
            headers["stripe-signature"] = (headers["stripe-signature"] ?? "").replace(
              `t=${t}`,
              `t=${replaceChar(t, at, byte)}`,
            );
          } else {
            headers["webhook-timestamp"] = replaceChar(
              headers["webhook-timestamp"] ?? "",
              at,
              byte,
            );
          }
          expect(verify(w, headers).ok).toBe(false);
        }),
        { numRuns: RUNS },
      );
    });

    it("refuses a timestamp outside the five-minute window, however well signed", () => {
      fc.assert(
        fc.property(
          signed(provider),
          fc.oneof(fc.integer({ min: 301, max: 1e8 }), fc.integer({ min: -1e8, max: -301 })),
          (w, skew) => {
            count(`${provider}:stale`);
            const stale = { ...w, ts: T + skew };
            const result = verify(stale, headersOf(stale));
            expect(result.ok ? "accepted" : result.error.code).toBe("stale_timestamp");
          },
        ),
        { numRuns: RUNS },
      );
    });
  }

  if (provider === "standard-webhooks") {
    it("refuses every single-byte change of the signed webhook-id", () => {
      fc.assert(
        fc.property(signed(provider), fc.nat(), fc.integer({ min: 0, max: 255 }), (w, at, byte) => {
          count(`${provider}:id-byte`);
          const headers = headersOf(w);
          headers["webhook-id"] = replaceChar(w.id, at, byte);
          expect(verify(w, headers).ok).toBe(false);
        }),
        { numRuns: RUNS },
      );
    });
  }

  if (provider === "github" || provider === "hmac-sha256") {
    it("does not cover the delivery id: a changed id still verifies (F-09, the provider's scheme)", () => {
      fc.assert(
        fc.property(signed(provider), idChars, (w, otherId) => {
          fc.pre(otherId !== w.id);
          count(`${provider}:unsigned-id`);
          const headers = {
            ...headersOf(w),
            [provider === "github" ? "x-github-delivery" : "x-acme-id"]: otherId,
          };
          const result = verify(w, headers);
          expect(result.ok && result.deliveryId).toBe(otherId);
        }),
        { numRuns: Math.ceil(RUNS / 4) },
      );
    });
  }

  it("never throws, whatever the request carries", () => {
    const names = Object.keys(headersOf(fc.sample(signed(provider), 1)[0] as Signed));
    const value = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.constantFrom(
        "",
        "t=",
        "v1,",
        "sha256=",
        "t=1,v1=zz",
        "v1,====",
        " ",
        "t=0999,v1=",
        `${"v1,AAAA ".repeat(2000)}`,
      ),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string()), value, { maxKeys: 6 }),
        fc.uint8Array({ maxLength: 256 }),
        (headers, body) => {
          count(`${provider}:no-throw`);
          const result = verifyWebhook({
            provider,
            headers: headers as HeaderBag,
            body: Buffer.from(body),
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            now: NOW,
            options: provider === "hmac-sha256" ? OPTIONS : undefined,
          });
          expect(typeof result.ok).toBe("boolean");
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// Alertmanager cannot sign (verify.ts): a bearer token authenticates the sender and nothing
// covers the body. The token is what must hold; the open body is an accepted risk (docs/security.md).
describe("verifyWebhook, alertmanager (bearer token, unsigned body)", () => {
  const token = fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 16,
    maxLength: 64,
  });
  const body = fc
    .record({
      status: fc.constantFrom("firing", "resolved"),
      alerts: fc.jsonValue({ maxDepth: 2 }),
    })
    .map((n) => Buffer.from(JSON.stringify(n)));
  const check = (secret: string, authorization: string | undefined, payload: Buffer) =>
    verifyWebhook({
      provider: "alertmanager",
      headers: authorization === undefined ? {} : { authorization },
      body: payload,
      secrets: [secret],
      now: NOW,
    });

  it("accepts the right token and refuses every single-byte change of it", () => {
    fc.assert(
      fc.property(
        token,
        body,
        fc.nat(),
        fc.integer({ min: 0x21, max: 0x7e }),
        (secret, payload, at, byte) => {
          count("alertmanager:token-byte");
          expect(check(secret, `Bearer ${secret}`, payload).ok).toBe(true);
          expect(check(secret, `Bearer ${replaceChar(secret, at, byte)}`, payload).ok).toBe(false);
          expect(check(secret, undefined, payload).ok).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("does not cover the body: a changed body with the right token verifies (accepted risk)", () => {
    fc.assert(
      fc.property(token, body, (secret, other) => {
        count("alertmanager:unsigned-body");
        expect(check(secret, `Bearer ${secret}`, other).ok).toBe(true);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it("never throws, whatever the request carries", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.uint8Array({ maxLength: 256 }),
        (authorization, payload) => {
          count("alertmanager:no-throw");
          expect(
            typeof check("token-0123456789abcdef", authorization, Buffer.from(payload)).ok,
          ).toBe("boolean");
        },
      ),
      { numRuns: RUNS },
    );
  });
});
