import type { Topology } from "@hookrail/contracts";
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos, type WithRequired } from "@nats-io/nats-core";
import {
  type ConsumerSettings,
  defaultConsumerSettings,
  defaultStreamLimits,
  type StreamLimits,
  TopologyError,
  validateSettings,
} from "./topology-settings.js";

type StreamWant = WithRequired<Partial<StreamConfig>, "name" | "subjects">;

// Codes that mean another process changed the same stream or consumer between our read and our
// write (nats-server errors.json): re-read and try again.
const RACE_CODES = new Set<number>([
  10058, // stream name already in use with a different configuration
  JetStreamApiCodes.StreamNotFound,
  JetStreamApiCodes.ConsumerNotFound,
  10013, // consumer name already in use
  10148, // consumer already exists (2.10+ create action)
]);
const ATTEMPTS = 5;

// The settings declareTopology owns; anything else an operator changed is left alone.
const STREAM_FIELDS = [
  "storage",
  "retention",
  "discard",
  "max_bytes",
  "max_age",
  "duplicate_window",
  "num_replicas",
] as const;
const CONSUMER_FIELDS = [
  "ack_policy",
  "filter_subject",
  "ack_wait",
  "max_deliver",
  "max_ack_pending",
] as const;

/**
 * Makes the server's streams and durable consumers match `topology`. Idempotent, and safe when
 * several processes call it at once. Streams get file storage, Limits retention and DiscardNew:
 * a full stream refuses new messages instead of silently evicting unprocessed ones. (On
 * nats-server 2.9.10 that holds only approximately: within about one record's overhead of
 * max_bytes the server may accept a message and evict the oldest, so alert well before a stream
 * is full.) Consumers get explicit acks and unlimited deliveries, because the consume loop counts
 * deliveries itself and dead-letters durably (the server's MaxDeliver would only leave the
 * message behind).
 */
export async function declareTopology(
  nc: NatsConnection,
  topology: Topology,
  limits?: Partial<StreamLimits>,
  consumer?: Partial<ConsumerSettings>,
): Promise<void> {
  const l = withDefaults(defaultStreamLimits, limits);
  const c = withDefaults(defaultConsumerSettings, consumer);
  validateSettings(l, c);
  const jsm = await jetstreamManager(nc);
  for (const s of Object.values(topology.streams)) {
    const want: StreamWant = {
      name: s.name,
      subjects: [...s.subjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      max_bytes: l.maxBytes,
      max_age: nanos(l.maxAgeMs),
      duplicate_window: nanos(l.duplicateWindowMs),
      num_replicas: l.replicas,
    };
    await withRaceRetry(`stream ${s.name}`, () => ensureStream(jsm, want));
  }
  for (const k of Object.values(topology.consumers)) {
    const want: Partial<ConsumerConfig> = {
      durable_name: k.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: k.filterSubject,
      ack_wait: nanos(c.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: c.maxAckPending,
    };
    await withRaceRetry(`consumer ${k.stream}/${k.durable}`, () =>
      ensureConsumer(jsm, k.stream, k.durable, want),
    );
  }
}

async function ensureStream(jsm: JetStreamManager, want: StreamWant): Promise<void> {
  const current = await readOrUndefined(() => jsm.streams.info(want.name));
  if (!current) {
    await jsm.streams.add(want);
    return;
  }
  const have = current.config;
  const same =
    // eslint-disable-next-line security/detect-object-injection -- f iterates a literal list of config field names; a read-only comparison
    sameSet(have.subjects ?? [], want.subjects) && STREAM_FIELDS.every((f) => have[f] === want[f]);
  if (!same) await jsm.streams.update(want.name, want);
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  want: Partial<ConsumerConfig>,
): Promise<void> {
  const current = await readOrUndefined(() => jsm.consumers.info(stream, durable));
  if (!current) {
    await jsm.consumers.add(stream, want);
    return;
  }
  const have = current.config;
  // eslint-disable-next-line security/detect-object-injection -- f iterates a literal list of config field names; a read-only comparison
  const same = CONSUMER_FIELDS.every((f) => have[f] === want[f]);
  if (!same) await jsm.consumers.update(stream, durable, want);
}

async function withRaceRetry(what: string, fn: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const race = err instanceof JetStreamApiError && RACE_CODES.has(err.code);
      if (race && attempt < ATTEMPTS) continue;
      const reason = err instanceof Error ? err.message : String(err);
      throw new TopologyError(`cannot declare ${what}: ${reason}`, { cause: err });
    }
  }
}

async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    const notFound =
      err instanceof JetStreamApiError &&
      (err.code === JetStreamApiCodes.StreamNotFound ||
        err.code === JetStreamApiCodes.ConsumerNotFound);
    if (notFound) return undefined;
    throw err;
  }
}

// A key present with the value undefined means "not given", not "unset the default".
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given ?? {}))
    if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
