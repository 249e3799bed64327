import { createHmac } from "node:crypto";

// Golden headers for the tests, written straight from each provider's documentation with
// node:crypto and nothing from this package, so a shared mistake cannot make both sides agree.

/** GitHub: X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(secret as UTF-8, body). */
export function githubHeaders(body: Buffer, secret: string, delivery: string, event: string) {
  const hex = createHmac("sha256", secret).update(body).digest("hex");
  return {
    "x-hub-signature-256": `sha256=${hex}`,
    "x-github-delivery": delivery,
    "x-github-event": event,
  } as Record<string, string>;
}

/** Stripe: Stripe-Signature = "t=<t>,v1=<hex HMAC-SHA256(whole secret, `${t}.${body}`)>" per secret. */
export function stripeHeaders(body: Buffer, secrets: string[], t: number) {
  const v1 = secrets.map(
    (s) => `v1=${createHmac("sha256", s).update(`${t}.`).update(body).digest("hex")}`,
  );
  return { "stripe-signature": [`t=${t}`, ...v1].join(",") } as Record<string, string>;
}

/** Standard Webhooks: "v1,<base64 HMAC-SHA256(base64-decoded secret, `${id}.${ts}.${body}`)>". */
export function standardHeaders(body: Buffer, secrets: string[], id: string, ts: number) {
  const sigs = secrets.map((s) => {
    const key = Buffer.from(s.replace(/^whsec_/, ""), "base64");
    return `v1,${createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64")}`;
  });
  return {
    "webhook-id": id,
    "webhook-timestamp": String(ts),
    "webhook-signature": sigs.join(" "),
  } as Record<string, string>;
}

/** Generic: HMAC-SHA256(secret as UTF-8, body) in hex or base64. */
export function hmacDigest(body: Buffer, secret: string, encoding: "hex" | "base64") {
  return createHmac("sha256", secret).update(body).digest(encoding);
}

/** Unix seconds of a Date. */
export const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** A small seeded PRNG (mulberry32), so property runs are repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
