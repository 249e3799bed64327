/** What the runner knows of one webhook it sent; times are performance.now() of this process. */
interface Sent {
  phase: string;
  sentAt: number;
  answeredAt?: number;
  status?: number | string;
  deliveredAt?: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One phase's figures, as printed and written to the JSON results. */
export interface PhaseStats {
  sent: number;
  accepted: number;
  /** Answers other than 202, by status or network error code. */
  errors: Record<string, number>;
  /** First words of each kind of error answer. */
  errorDetails: Record<string, string>;
  /** Send to 202, ms. */
  acceptLatency: Percentiles;
  delivered: number;
  /** Ingest request sent to delivery arrival at the subscriber, ms, of the delivered ones. */
  deliveryLatency: Percentiles;
  /** Webhooks delivered although their answer was not 202 (e.g. a client-side timeout). */
  deliveredWithout202: number;
  /** When the last of the phase's deliveries arrived, ms after its first send. */
  lastDeliveryAfterMs: number;
}

/**
 * Every webhook sent, keyed by the X-Request-Id the runner gave it: the gateway keeps a sane one
 * and the notifier sends it on with the delivery, so the subscriber can match each arrival.
 */
export class Ledger {
  private readonly byId = new Map<string, Sent>();
  private readonly details = new Map<string, string>();
  accepted = 0;
  /** Answers other than 202, over all phases. */
  errors = 0;
  /** Accepted webhooks that reached the subscriber. */
  delivered = 0;
  /** Second and later arrivals of one webhook. */
  duplicates = 0;
  /** Arrivals that match nothing sent. */
  unmatched = 0;

  sent(id: string, phase: string): void {
    this.byId.set(id, { phase, sentAt: performance.now() });
  }

  answered(id: string, status: number | string, detail?: string): void {
    const s = this.byId.get(id);
    if (!s) return;
    s.answeredAt = performance.now();
    s.status = status;
    if (status === 202) {
      this.accepted++;
      if (s.deliveredAt !== undefined) this.delivered++;
      return;
    }
    this.errors++;
    if (detail && !this.details.has(String(status))) this.details.set(String(status), detail);
  }

  /** A delivery reached the subscriber (possibly, on a busy runner, before its 202 was read). */
  arrived(id: string | undefined): void {
    const s = id === undefined ? undefined : this.byId.get(id);
    if (!s) this.unmatched++;
    else if (s.deliveredAt !== undefined) this.duplicates++;
    else {
      s.deliveredAt = performance.now();
      if (s.status === 202) this.delivered++;
    }
  }

  /** Accepted webhooks not delivered yet. */
  get pending(): number {
    return this.accepted - this.delivered;
  }

  stats(phase: string): PhaseStats {
    const all = [...this.byId.values()].filter((s) => s.phase === phase);
    const accepted = all.filter((s) => s.status === 202);
    const delivered = accepted.filter((s) => s.deliveredAt !== undefined);
    const errors: Record<string, number> = {};
    for (const s of all)
      if (s.status !== 202) errors[String(s.status)] = (errors[String(s.status)] ?? 0) + 1;
    const errorDetails: Record<string, string> = {};
    for (const status of Object.keys(errors)) {
      const detail = this.details.get(status);
      if (detail) errorDetails[status] = detail;
    }
    const firstSent = all.reduce((min, s) => Math.min(min, s.sentAt), Number.POSITIVE_INFINITY);
    const lastDelivered = delivered.reduce((max, s) => Math.max(max, s.deliveredAt ?? 0), 0);
    return {
      sent: all.length,
      accepted: accepted.length,
      errors,
      errorDetails,
      acceptLatency: percentiles(accepted.map((s) => (s.answeredAt ?? s.sentAt) - s.sentAt)),
      delivered: delivered.length,
      deliveryLatency: percentiles(delivered.map((s) => (s.deliveredAt ?? s.sentAt) - s.sentAt)),
      deliveredWithout202: all.filter((s) => s.status !== 202 && s.deliveredAt !== undefined)
        .length,
      lastDeliveryAfterMs: delivered.length === 0 ? 0 : lastDelivered - firstSent,
    };
  }
}

/** Nearest-rank percentiles; zeros for no samples. */
export function percentiles(samples: number[]): Percentiles {
  if (samples.length === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
}
