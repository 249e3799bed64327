// Vendored helpers for the k6 scripts: no remote imports, so the scripts run offline.
import { sleep } from "k6";
import crypto from "k6/crypto";
import http from "k6/http";

/** Where Hookrail is, and the admin key the setup step uses (compose defaults). */
export const config = {
  gateway: __ENV.HOOKRAIL_URL || "http://localhost:8080",
  adminKey: __ENV.ADMIN_API_KEY || "dev-admin-key-change-me",
  /** The subscriber deliveries go to: the compose cluster's demo subscriber by default. */
  subscriberUrl: __ENV.SUBSCRIBER_URL || "http://demo-subscriber:8080/hooks",
};

export interface Target {
  sourceId: string;
  secret: string;
  subscriptionId: string;
}

const admin = () => ({
  headers: { authorization: `Bearer ${config.adminKey}`, "content-type": "application/json" },
});

/** Creates a fresh github-style source and a catch-all subscription for this run. */
export function createTarget(name: string): Target {
  const secret = `k6-${name}-${Date.now()}`;
  const source = http.post(
    `${config.gateway}/api/v1/sources`,
    JSON.stringify({ name, provider: "github", secret }),
    admin(),
  );
  if (source.status !== 201)
    throw new Error(`creating the source failed: ${source.status} ${source.body}`);
  const sourceId = (source.json() as { id: string }).id;
  const sub = http.post(
    `${config.gateway}/api/v1/subscriptions`,
    JSON.stringify({ url: config.subscriberUrl, eventTypes: ["*"], sourceIds: [sourceId] }),
    admin(),
  );
  if (sub.status !== 201)
    throw new Error(`creating the subscription failed: ${sub.status} ${sub.body}`);
  return { sourceId, secret, subscriptionId: (sub.json() as { id: string }).id };
}

/** A random W3C traceparent, so each request starts a trace Jaeger can show. */
export function traceparent(): string {
  return `00-${toHex(crypto.randomBytes(16))}-${toHex(crypto.randomBytes(8))}-01`;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Sends one GitHub-signed webhook with a unique delivery id; returns the response. */
export function sendWebhook(target: Target, tag: string) {
  const deliveryId = `${tag}-${__VU}-${__ITER}-${Date.now()}`;
  const body = JSON.stringify({ action: "k6", deliveryId, at: Date.now() });
  const signature = crypto.hmac("sha256", target.secret, body, "hex");
  return http.post(`${config.gateway}/api/v1/webhooks/${target.sourceId}`, body, {
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${signature}`,
      "x-github-delivery": deliveryId,
      "x-github-event": "push",
      traceparent: traceparent(),
    },
    tags: { name: "ingest" },
  });
}

/**
 * The verify phase: every webhook the source stored (only accepted ones are stored) must reach
 * the subscriber. Polls the query API until all are delivered or `timeoutSeconds` pass.
 */
export function verifyAllDelivered(
  target: Target,
  timeoutSeconds: number,
): { stored: number; delivered: number } {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let result = { stored: 0, delivered: 0 };
  while (Date.now() < deadline) {
    result = countBySource(target.sourceId);
    if (result.stored > 0 && result.delivered === result.stored) return result;
    sleep(1);
  }
  return result;
}

function countBySource(sourceId: string): { stored: number; delivered: number } {
  let cursor: string | null = null;
  let stored = 0;
  let delivered = 0;
  do {
    const url: string = `${config.gateway}/api/v1/events?sourceId=${sourceId}&limit=200${cursor ? `&cursor=${cursor}` : ""}`;
    const page = http.get(url, admin());
    const body = page.json() as { data: Array<{ status: string }>; nextCursor: string | null };
    stored += body.data.length;
    delivered += body.data.filter((w) => w.status === "delivered").length;
    cursor = body.nextCursor;
  } while (cursor);
  return { stored, delivered };
}
