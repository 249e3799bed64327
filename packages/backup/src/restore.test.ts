import { open } from "node:fs/promises";
import { join } from "node:path";
import { createScratchDatabase } from "@hookrail/event-store";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openNats } from "./jetstream/connect.js";
import { type ScratchNats, startScratchNats } from "./jetstream/scratch-server.js";
import { restoreBackup } from "./restore.js";
import type { BackupSettings } from "./settings.js";
import { takeBackup } from "./take.js";
import {
  type Installation,
  NATS_SERVER_BIN,
  PG_BASE_URL,
  startInstallation,
} from "./test-support/fixture.js";

// A restore into another database and another nats-server, as after losing both.

let inst: Installation;
let id: string;
let targetNats: ScratchNats;
let nc: NatsConnection;
let target: Awaited<ReturnType<typeof createScratchDatabase>>;
let settings: BackupSettings;

beforeAll(async () => {
  inst = await startInstallation();
  await inst.seed(30, 20);
  const taken = await takeBackup(inst.settings, inst.nc);
  if (!taken.ok) throw new Error(taken.error);
  id = taken.id;
  targetNats = await startScratchNats(NATS_SERVER_BIN);
  nc = await openNats([targetNats.url], "restore-test");
  target = await createScratchDatabase(PG_BASE_URL, "hookrail_test_restore");
  settings = { ...inst.settings, databaseUrl: target.url, natsServers: [targetNats.url] };
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await targetNats?.stop();
  await target?.drop();
  await inst?.destroy();
});

describe("restoreBackup", () => {
  it("restores the database and the streams, and restarts each consumer at its resume point", async () => {
    const lines: string[] = [];
    const restored = await restoreBackup(settings, id, nc, { progress: (l) => lines.push(l) });
    if (!restored.ok) throw new Error(restored.error);
    const webhooks = inst.topology.streams.webhooks.name;
    expect(restored.resumed).toEqual([
      { stream: webhooks, durable: "processor", startSequence: 21, replay: 10 },
      {
        stream: inst.topology.streams.deliveries.name,
        durable: "notifier-first",
        startSequence: 1,
        replay: 20,
      },
      // The retry lane sees none of the first-attempt messages.
      {
        stream: inst.topology.streams.deliveries.name,
        durable: "notifier-retry",
        startSequence: 1,
        replay: 0,
      },
    ]);
    expect(
      await count(target.url, "SELECT count(*) FROM events WHERE type = 'WebhookReceived'"),
    ).toBe(20);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(webhooks)).state).toMatchObject({ messages: 30, last_seq: 30 });
    const processor = await jsm.consumers.info(webhooks, "processor");
    expect(processor.config).toMatchObject({
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: 21,
      filter_subject: `${inst.topology.prefix}.webhooks.>`,
    });
    expect(processor.num_pending).toBe(10);
    // The next message the processor gets is the first one Postgres does not hold.
    const consumer = await jetstream(nc).consumers.get(webhooks, "processor");
    const next = await consumer.next({ expires: 2_000 });
    expect(next?.seq).toBe(21);
    next?.nak();
    expect(lines.some((l) => l.includes("processor resumes at seq 21"))).toBe(true);
  });

  it("refuses a target that holds data, naming it, unless forced", async () => {
    const refused = await restoreBackup(settings, id, nc);
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.error).toMatch(
        /^the target database postgres:\/\/.* is not empty \(rows in .*public\.events.*\); stop the services and pass --force to replace it$/,
      );
    const forced = await restoreBackup(settings, id, nc, { force: true });
    expect(forced.ok).toBe(true);
    expect(await count(target.url, "SELECT count(*) FROM events")).toBe(42);
  });

  it("refuses existing streams even when the database is empty", async () => {
    const empty = await createScratchDatabase(PG_BASE_URL, "hookrail_test_restore_empty");
    try {
      const refused = await restoreBackup({ ...settings, databaseUrl: empty.url }, id, nc);
      expect(refused.ok).toBe(false);
      if (!refused.ok)
        expect(refused.error).toMatch(
          /^streams \S+_DELIVERIES, \S+_WEBHOOKS already exist; pass --force to replace them$/,
        );
    } finally {
      await empty.drop();
    }
  });

  it("refuses a damaged backup before touching anything", async () => {
    const taken = await takeBackup(inst.settings, inst.nc);
    if (!taken.ok) throw new Error(taken.error);
    const handle = await open(join(taken.dir, "postgres.dump"), "r+");
    await handle.write(Buffer.from("X"), 0, 1, 50);
    await handle.close();
    const refused = await restoreBackup(settings, taken.id, nc, { force: true });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.error).toMatch(/failed its checks, not restoring it: file postgres\.dump/);
    expect(await count(target.url, "SELECT count(*) FROM events")).toBe(42);
  });

  it("refuses a backup of another prefix", async () => {
    const refused = await restoreBackup({ ...settings, natsPrefix: "other" }, id, nc, {
      force: true,
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.error).toMatch(
        /holds the streams of prefix "b[0-9a-f]+", but NATS_PREFIX is "other"/,
      );
  });
});

async function count(url: string, query: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(query);
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}
