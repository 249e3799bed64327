import { type Attributes, metrics, type ObservableResult } from "@opentelemetry/api";

/**
 * Hookrail's own metrics, in one catalogue (docs/observability.md lists them under the names
 * /metrics shows). Instruments are created on first use, after the preload has installed the
 * meter provider; without one they are no-ops and cost nothing.
 */
const meter = () => metrics.getMeter("hookrail");
const memo = <T>(make: () => T): (() => T) => {
  let made: T | undefined;
  return () => {
    made ??= make();
    return made;
  };
};

// Buckets in seconds, from 1 ms to 30 s: the pipeline's latencies live at the low end.
const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export const webhooksReceived = memo(() =>
  talliedCounter(
    "hookrail.webhooks.received",
    "Webhooks that reached the ingest endpoint, by source and outcome (accepted, duplicate, or why rejected)",
    ["source", "outcome"],
  ),
);

function labelSet<L extends string>(labels: readonly L[], values: Readonly<Record<L, string>>) {
  // eslint-disable-next-line security/detect-object-injection -- labels are the fixed names the counter was made with
  return Object.fromEntries(labels.map((label) => [label, values[label]]));
}

/** A counter of one label set per call, e.g. `{ source, outcome }`. */
export interface TalliedCounter<L extends string> {
  add(value: number, labels: Readonly<Record<L, string>>): void;
}

/**
 * A counter for the hottest path (one add per webhook): totals are kept per label set in this
 * process and read at each scrape, as an observable counter. A synchronous counter would hash
 * its attribute object on every add; here an add is one string key and a map update.
 */
function talliedCounter<L extends string>(
  name: string,
  description: string,
  labels: readonly L[],
): TalliedCounter<L> {
  const totals = new Map<string, { attributes: Attributes; value: number }>();
  meter()
    .createObservableCounter(name, { description })
    .addCallback((result) => {
      for (const { value, attributes } of totals.values()) result.observe(value, attributes);
    });
  return {
    add(value, values) {
      // eslint-disable-next-line security/detect-object-injection -- labels are the fixed names given above
      const key = labels.map((label) => values[label]).join("\u0000");
      const total = totals.get(key);
      if (total) total.value += value;
      else totals.set(key, { value, attributes: labelSet(labels, values) });
    },
  };
}

export const processingDuration = memo(() =>
  meter().createHistogram("hookrail.processing.duration", {
    description: "Time to handle one consumed batch, by consumer",
    unit: "s",
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
  }),
);

export const appendDuration = memo(() =>
  meter().createHistogram("hookrail.event_store.append.duration", {
    description: "Time of one event-store append (insert and projections), by service",
    unit: "s",
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
  }),
);

export const deliveryAttempts = memo(() =>
  meter().createCounter("hookrail.deliveries", {
    description:
      "Delivery attempts, by outcome (succeeded, retry_scheduled, failed) and attempt number",
  }),
);

export const deliveryLatency = memo(() =>
  meter().createHistogram("hookrail.delivery.latency", {
    description: "From the gateway receiving a webhook to its successful delivery to a subscriber",
    unit: "s",
    advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS, 60, 300, 3600] },
  }),
);

export const deadLetters = memo(() =>
  meter().createCounter("hookrail.dead_letters", {
    description: "Messages given up on and stored as dead letters, by kind and consumer",
  }),
);

export const natsReconnects = memo(() =>
  meter().createCounter("hookrail.nats.reconnects", { description: "Reconnections to NATS" }),
);

/** Registers a gauge read at each scrape; `read` may be async (it is awaited). */
export function observeGauge(
  name: string,
  description: string,
  read: () =>
    | Promise<Array<{ value: number; attributes?: Attributes }>>
    | Array<{ value: number; attributes?: Attributes }>,
  unit?: string,
): void {
  const gauge = meter().createObservableGauge(name, { description, ...(unit ? { unit } : {}) });
  gauge.addCallback(async (result: ObservableResult) => {
    for (const { value, attributes } of await read()) result.observe(value, attributes);
  });
}

// Backups (backup-agent). The BackupStale and BackupVerifyFailed alerts read the first two.

export const backupLastSuccessTimestamp = memo(() =>
  meter().createGauge("hookrail.backup.last_success_timestamp", {
    description:
      "Unix time (seconds) when the last backup that verified completed; 0 until one has",
  }),
);

export const backupLastVerificationOk = memo(() =>
  meter().createGauge("hookrail.backup.last_verification_ok", {
    description: "1 when the latest backup verification passed, 0 when it failed",
  }),
);

export const backupDuration = memo(() =>
  meter().createHistogram("hookrail.backup.duration", {
    description: "Time of one backup phase, by phase (backup, verify)",
    unit: "s",
    advice: { explicitBucketBoundaries: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200] },
  }),
);

export const backupSize = memo(() =>
  meter().createGauge("hookrail.backup.size", {
    description: "Bytes of the latest complete backup (dump, snapshots, manifest)",
  }),
);
