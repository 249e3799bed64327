import { signAs } from "@hookrail/signatures";
import { sleep } from "./processes.js";

/** One HTTP exchange of the sender. `status` null: no answer (refused, reset, timed out). */
export interface Exchange {
  key: string;
  sentAt: number;
  answeredAt: number;
  status: number | null;
  error?: string;
}

/** A webhook the generator made up: its unique key is the provider delivery id and is in the body. */
export interface SentWebhook {
  key: string;
  eventType: string;
  exchanges: Exchange[];
  /** When the first 202 arrived. */
  acceptedAt?: number;
}

export interface LoadOptions {
  gatewayUrl: string;
  source: { id: string; secret: string };
  /** Prefix of every key, unique per case. */
  runId: string;
  ratePerSecond: number;
  /** The sender's own timeout per request. */
  requestTimeoutMs: number;
  /** How long after the send window retries may still go out. */
  graceMs: number;
}

// Client errors are final for a real sender; anything else (5xx, 408, 429, no answer) is retried.
const retryable = (status: number | null) =>
  status === null || status >= 500 || status === 408 || status === 429;

/**
 * Sends signed GitHub-style webhooks at a steady rate, each with a unique key, and records every
 * exchange. Like a real sender it retries what was not answered 202 (5xx, 408, 429, no answer)
 * with the same delivery id and body, after the `Retry-After` it was given (clamped to 0.5–2 s),
 * until `graceMs` after the send window. So a key may be stored although no 202 was seen (the
 * answer was lost), and a later 202 for it counts as accepted.
 */
export class LoadGenerator {
  readonly sent = new Map<string, SentWebhook>();
  #stopAt = 0;
  #retryUntil = 0;
  #stopped = false;
  readonly #inFlight = new Set<Promise<void>>();
  #ticker: Promise<void> | undefined;

  constructor(private readonly options: LoadOptions) {}

  /** Starts sending for `durationMs`. */
  start(durationMs: number): void {
    const startedAt = Date.now();
    this.#stopAt = startedAt + durationMs;
    this.#retryUntil = this.#stopAt + this.options.graceMs;
    this.#ticker = this.#tick(startedAt);
  }

  /** Waits for the send window to end and every webhook to be accepted or given up on. */
  async finished(): Promise<void> {
    await this.#ticker;
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Abandons everything now (teardown): retries stop, requests in flight are left to fail. */
  abort(): void {
    this.#stopped = true;
    this.#stopAt = 0;
    this.#retryUntil = 0;
  }

  /** Every exchange, in the order they were answered. */
  exchanges(): Exchange[] {
    return [...this.sent.values()]
      .flatMap((w) => w.exchanges)
      .sort((a, b) => a.answeredAt - b.answeredAt);
  }

  async #tick(startedAt: number): Promise<void> {
    let n = 0;
    while (!this.#stopped && Date.now() < this.#stopAt) {
      const due = Math.floor(((Date.now() - startedAt) / 1000) * this.options.ratePerSecond);
      for (; n < due; n++) this.#launch(n);
      await sleep(10);
    }
  }

  #launch(n: number): void {
    const key = `${this.options.runId}-${n}`;
    const body = JSON.stringify({ key, n, at: new Date().toISOString() });
    this.send(key, body, n % 2 === 0 ? "order.even" : "order.odd");
  }

  /** Sends one webhook of the caller's making (its body must carry `"key":"<key>"`), with retries. */
  send(key: string, body: string, eventType: string): void {
    const webhook: SentWebhook = { key, eventType, exchanges: [] };
    this.sent.set(key, webhook);
    const work = this.#deliver(webhook, body).finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
  }

  async #deliver(webhook: SentWebhook, body: string): Promise<void> {
    const { source, gatewayUrl, requestTimeoutMs } = this.options;
    const headers = signAs("github", {
      body,
      secret: source.secret,
      now: new Date(),
      deliveryId: webhook.key,
      eventType: webhook.eventType,
    });
    for (;;) {
      const sentAt = Date.now();
      let exchange: Exchange;
      let retryAfterS = 1;
      try {
        const res = await fetch(`${gatewayUrl}/api/v1/webhooks/${source.id}`, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        await res.arrayBuffer();
        exchange = { key: webhook.key, sentAt, answeredAt: Date.now(), status: res.status };
        retryAfterS = Number(res.headers.get("retry-after") ?? 1) || 1;
      } catch (error) {
        const cause = (error as Error & { cause?: Error }).cause;
        exchange = {
          key: webhook.key,
          sentAt,
          answeredAt: Date.now(),
          status: null,
          error: (cause ?? (error as Error)).message,
        };
      }
      webhook.exchanges.push(exchange);
      if (exchange.status === 202) {
        webhook.acceptedAt ??= exchange.answeredAt;
        return;
      }
      if (!retryable(exchange.status)) return;
      const delay = Math.min(2_000, Math.max(500, retryAfterS * 1000));
      if (this.#stopped || Date.now() + delay > this.#retryUntil) return;
      await sleep(delay);
    }
  }
}

/** Exchanges sent after `from` and answered before `to` (epoch ms): what happened inside a fault. */
export function within(exchanges: readonly Exchange[], from: number, to: number): Exchange[] {
  return exchanges.filter((e) => e.sentAt >= from && e.answeredAt <= to);
}

/** `503×40 none×3`: answers by status ("none": refused, reset or timed out). */
export function tally(exchanges: readonly Exchange[]): string {
  const counts = new Map<string, number>();
  for (const e of exchanges) {
    const label = e.status === null ? "none" : String(e.status);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].map(([s, n]) => `${s}×${n}`).join(" ") || "no answers";
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
