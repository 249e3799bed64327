import { randomUUID } from "node:crypto";
import { signAs } from "@hookrail/signatures";

/** One webhook the load sent, and what the gateway answered. */
export interface Sent {
  marker: string;
  status: number;
  /** The webhook id of a 202. */
  webhookId?: string;
  /** When the 202 arrived (ms since the epoch). */
  ackedAt: number;
}

/**
 * Sends signed GitHub webhooks from `concurrency` loops until stopped, recording every answer.
 * Each body carries a unique marker, so a delivery can be matched to its webhook.
 */
export function startLoad(options: {
  gatewayUrl: string;
  sourceId: string;
  secret: string;
  concurrency: number;
}) {
  const sent: Sent[] = [];
  let stopping = false;
  const one = async () => {
    const marker = randomUUID();
    const body = JSON.stringify({ action: "drill", marker });
    const headers = signAs("github", {
      body,
      secret: options.secret,
      now: new Date(),
      deliveryId: marker,
      eventType: "push",
    });
    try {
      const res = await fetch(`${options.gatewayUrl}/api/v1/webhooks/${options.sourceId}`, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const json = (await res.json().catch(() => ({}))) as { id?: string };
      sent.push({ marker, status: res.status, webhookId: json.id, ackedAt: Date.now() });
    } catch {
      sent.push({ marker, status: 0, ackedAt: Date.now() });
    }
  };
  const loops = Array.from({ length: options.concurrency }, async () => {
    while (!stopping) await one();
  });
  return {
    sent,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}
