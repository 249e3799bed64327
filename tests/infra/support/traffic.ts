import { randomUUID } from "node:crypto";
import { signAs } from "@hookrail/signatures";
import { apiClient } from "../../support/api.js";

/** A GitHub source and a subscription of every event type to `subscriberUrl`. */
export async function createSourceAndSubscription(
  cluster: { gatewayUrl: string; adminKey: string },
  subscriberUrl: string,
): Promise<{ sourceId: string; secret: string }> {
  const api = apiClient(cluster.gatewayUrl, cluster.adminKey);
  const source = await api.post<{ id: string; secret: string }>("/api/v1/sources", {
    name: "infra test",
    provider: "github",
  });
  if (source.status !== 201) throw new Error(`creating a source: ${source.status} ${source.text}`);
  const sub = await api.post("/api/v1/subscriptions", { url: subscriberUrl, eventTypes: ["*"] });
  if (sub.status !== 201) throw new Error(`creating a subscription: ${sub.status} ${sub.text}`);
  return { sourceId: source.body.id, secret: source.body.secret };
}

/** Sends one signed GitHub webhook; resolves with the HTTP status (0 when none came). */
export async function sendWebhook(
  gatewayUrl: string,
  source: { sourceId: string; secret: string },
  payload: Record<string, unknown> = {},
): Promise<number> {
  const body = JSON.stringify({ action: "opened", at: Date.now(), ...payload });
  const headers = signAs("github", {
    body,
    secret: source.secret,
    now: new Date(),
    deliveryId: randomUUID(),
    eventType: "push",
  });
  try {
    const res = await fetch(`${gatewayUrl}/api/v1/webhooks/${source.sourceId}`, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export interface Sender {
  /** Answers by status (0: no answer). */
  statuses: Map<number, number>;
  /** Webhooks per second; Infinity sends as fast as `concurrency` allows. */
  setRate(perSecond: number): void;
  stop(): Promise<void>;
}

/**
 * Webhooks that "keep arriving": `concurrency` loops sending signed webhooks at about
 * `perSecond` in total, until stopped. Bounded by the caller's stop(); every request has a
 * 10 s timeout.
 */
export function startSender(
  gatewayUrl: string,
  source: { sourceId: string; secret: string },
  options: { perSecond: number; concurrency: number },
): Sender {
  let rate = options.perSecond;
  let running = true;
  let budget = 0;
  const statuses = new Map<number, number>();
  const tick = setInterval(() => {
    budget = Math.min(budget + rate / 20, Math.max(rate, 1));
  }, 50);
  const loop = async () => {
    while (running) {
      if (rate !== Number.POSITIVE_INFINITY) {
        if (budget < 1) {
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        budget -= 1;
      }
      const status = await sendWebhook(gatewayUrl, source);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  return {
    statuses,
    setRate: (perSecond) => {
      rate = perSecond;
    },
    stop: async () => {
      running = false;
      clearInterval(tick);
      await Promise.all(loops);
    },
  };
}
