import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DomainEvent,
  deterministicUuid,
  type EventMetadata,
  streamId,
  type Topology,
  topology,
} from "@hookrail/contracts";
import {
  appendEvents,
  createScratchDatabase,
  type EventStoreDb,
  inTransaction,
  migrate,
  openDatabase,
  type StreamAppend,
} from "@hookrail/event-store";
import { declareTopology } from "@hookrail/messaging";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { findNatsServer } from "../env.js";
import { openNats } from "../jetstream/connect.js";
import { type ScratchNats, startScratchNats } from "../jetstream/scratch-server.js";
import type { BackupSettings } from "../settings.js";

/** The machine's Postgres (tests/support/global-setup.ts checks it is there). */
export const PG_BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const NATS_SERVER_BIN = findNatsServer();

/** A small Hookrail installation to back up: its own nats-server, a scratch database, a prefix. */
export interface Installation {
  settings: BackupSettings;
  topology: Topology;
  nats: ScratchNats;
  nc: NatsConnection;
  store: EventStoreDb;
  databaseUrl: string;
  /** Seeds `n` webhooks; the first `processed` of them are stored as the processor would. */
  seed(n: number, processed: number): Promise<void>;
  destroy(): Promise<void>;
}

const meta: EventMetadata = { source: "test" };

export async function startInstallation(): Promise<Installation> {
  const nats = await startScratchNats(NATS_SERVER_BIN);
  const nc = await openNats([nats.url], "backup-test");
  const prefix = `b${randomUUID().slice(0, 8)}`;
  const topo = topology(prefix);
  await declareTopology(nc, topo);
  const scratch = await createScratchDatabase(PG_BASE_URL, "hookrail_test_backup");
  const store = openDatabase({ url: scratch.url, poolSize: 2 });
  await migrate(store.db);
  const backupDir = await mkdtemp(join(tmpdir(), "hookrail-backups-"));
  const settings: BackupSettings = {
    backupDir,
    databaseUrl: scratch.url,
    natsServers: [nats.url],
    natsPrefix: prefix,
    scratchDatabaseUrl: PG_BASE_URL,
    tools: { natsServerBin: NATS_SERVER_BIN },
  };
  return {
    settings,
    topology: topo,
    nats,
    nc,
    store,
    databaseUrl: scratch.url,
    seed: (n, processed) => seed({ nc, store, topo }, n, processed),
    destroy: async () => {
      await store.close();
      await nc.close();
      await nats.stop();
      await scratch.drop();
      await rm(backupDir, { recursive: true, force: true });
    },
  };
}

/**
 * Publishes `n` webhooks to WEBHOOKS; stores the first `processed` as the processor does
 * (WebhookReceived with its stream sequence, one DeliveryRequested each, projections) and acks
 * them on the processor's consumer; publishes their delivery requests to DELIVERIES.
 */
async function seed(
  ctx: { nc: NatsConnection; store: EventStoreDb; topo: Topology },
  n: number,
  processed: number,
): Promise<void> {
  const { nc, store, topo } = ctx;
  const js = jetstream(nc);
  const sourceId = `src_${randomUUID().slice(0, 8)}`;
  const subscriptionId = `sub_${randomUUID().slice(0, 8)}`;
  await inTransaction(store.db, (tx) =>
    appendEvents(tx, [
      one(streamId.source(sourceId), {
        type: "SourceRegistered",
        data: { sourceId, name: "test", provider: "github", secret: "s3cret", options: {} },
      }),
      one(streamId.subscription(subscriptionId), {
        type: "SubscriptionCreated",
        data: {
          subscriptionId,
          url: "http://127.0.0.1:9/hooks",
          eventTypes: ["*"],
          sourceIds: null,
          secret: "whsec_x",
        },
      }),
    ]),
  );
  const published: Array<{ webhookId: string; seq: number }> = [];
  for (let i = 0; i < n; i++) {
    const webhookId = randomUUID();
    const ack = await js.publish(
      topo.subjects.webhookReceived(sourceId),
      JSON.stringify({ webhookId, i }),
      {
        msgID: webhookId,
      },
    );
    published.push({ webhookId, seq: ack.seq });
  }
  const stored = published.slice(0, processed);
  const appends: StreamAppend[] = stored.flatMap(({ webhookId, seq }) => {
    const deliveryId = deterministicUuid(webhookId, subscriptionId, "initial");
    const m = { ...meta, webhookId };
    const received: DomainEvent = {
      type: "WebhookReceived",
      data: {
        webhookId,
        sourceId,
        providerDeliveryId: `d-${webhookId}`,
        eventType: "push",
        receivedAt: new Date().toISOString(),
        contentType: "application/json",
        body: JSON.stringify({ webhookId }),
        streamSequence: seq,
      },
    };
    const requested: DomainEvent = {
      type: "DeliveryRequested",
      data: { deliveryId, webhookId, subscriptionId, reason: "initial" },
    };
    return [
      one(streamId.webhook(webhookId), received, m),
      one(streamId.delivery(deliveryId), requested, m),
    ];
  });
  if (appends.length > 0) await inTransaction(store.db, (tx) => appendEvents(tx, appends));
  for (const { webhookId } of stored) {
    const deliveryId = deterministicUuid(webhookId, subscriptionId, "initial");
    await js.publish(
      topo.subjects.deliveryFirst(subscriptionId),
      JSON.stringify({ deliveryId, webhookId, subscriptionId, attempt: 1 }),
      { msgID: `${deliveryId}:1` },
    );
  }
  await ackProcessed(nc, topo, stored.length);
}

async function ackProcessed(nc: NatsConnection, topo: Topology, count: number): Promise<void> {
  if (count === 0) return;
  const { stream, durable } = topo.consumers.processor;
  const consumer = await jetstream(nc).consumers.get(stream, durable);
  let acked = 0;
  while (acked < count) {
    const batch = await consumer.fetch({ max_messages: count - acked, expires: 2_000 });
    for await (const m of batch) {
      await m.ackAck();
      acked++;
    }
  }
  const info = await (await jetstreamManager(nc)).consumers.info(stream, durable);
  if (info.config.ack_policy !== AckPolicy.Explicit) throw new Error("unexpected ack policy");
}

function one(stream: string, event: DomainEvent, m: EventMetadata = meta): StreamAppend {
  return { streamId: stream, expectedVersion: 0, events: [{ event, metadata: m }] };
}
