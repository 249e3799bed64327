import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase, dropDatabase, openDatabase } from "@hookrail/event-store";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { freePort } from "../support/ports.js";
import { eventually, startSubscriber } from "../support/subscriber.js";
import { backupCli } from "./support/backup-cli.js";
import { startLoad } from "./support/load.js";
import { type OwnNats, startOwnNats } from "./support/nats-server.js";
import { createPipeline, type Pipeline } from "./support/pipeline.js";

// The disaster drill: ingest under load, take a backup (under load), ingest more, lose the
// database and the stream store, restore, resume. Everything acknowledged before the backup
// must be there exactly once; what was acknowledged after it is the measured loss (RPO).

const PG_BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const SECRET = "drill-s3cret-s3cret";

let nats: OwnNats;
let natsPort: number;
let storeDir: string;
let backupDir: string;
let databaseUrl: string;
let pipeline: Pipeline;
let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  natsPort = await freePort();
  storeDir = await mkdtemp(join(tmpdir(), "hookrail-drill-nats-"));
  backupDir = await mkdtemp(join(tmpdir(), "hookrail-drill-backups-"));
  nats = await startOwnNats(natsPort, storeDir);
  databaseUrl = (await createScratchDatabase(PG_BASE_URL, "hookrail_drill")).url;
  const prefix = `drill${Date.now().toString(36)}`;
  pipeline = await createPipeline({ natsUrl: nats.url, databaseUrl, prefix });
  await pipeline.start();
  subscriber = await startSubscriber();
  cliEnv = {
    NATS_URL: nats.url,
    NATS_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
    BACKUP_DIR: backupDir,
    BACKUP_VERIFY_LEVEL: "3",
    LOG_LEVEL: "warn",
  };
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
  await subscriber?.close();
  await nats?.kill();
  if (databaseUrl) await dropDatabase(databaseUrl);
  await rm(storeDir, { recursive: true, force: true });
  await rm(backupDir, { recursive: true, force: true });
});

const s = (ms: number) => Number((ms / 1000).toFixed(2));

describe("disaster drill", () => {
  it("restores everything acknowledged before the backup, exactly once, and resumes", async () => {
    const api = apiClient(pipeline.gatewayUrl, pipeline.adminKey);
    const source = await api.post<{ id: string }>("/api/v1/sources", {
      name: "drill",
      provider: "github",
      secret: SECRET,
    });
    expect(source.status).toBe(201);
    const sub = await api.post("/api/v1/subscriptions", { url: subscriber.url, eventTypes: ["*"] });
    expect(sub.status).toBe(201);

    // 1. Ingest under load; 2. back up while the load goes on; 3. ingest more.
    const load = startLoad({
      gatewayUrl: pipeline.gatewayUrl,
      sourceId: source.body.id,
      secret: SECRET,
      concurrency: 4,
    });
    await new Promise((r) => setTimeout(r, 3_000));
    const backup = await backupCli(["run", "--json"], cliEnv);
    expect(backup.code, backup.stderr).toBe(0);
    const report = JSON.parse(backup.stdout) as {
      id: string;
      backup: { durationMs: number; bytes: number };
      verify: { ok: boolean; level: number; durationMs: number };
    };
    expect(report.verify).toMatchObject({ ok: true, level: 3 });
    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();
    const manifest = JSON.parse(
      await readFile(join(backupDir, report.id, "manifest.json"), "utf8"),
    );
    const webhooksStream = manifest.jetstream.streams.find((x: { name: string }) =>
      x.name.endsWith("_WEBHOOKS"),
    );
    const backupPoint = Date.parse(webhooksStream.requestedAt);
    const pgPoint = Date.parse(manifest.postgres.snapshotAt);

    // 4. The disaster: services down, database dropped, stream store deleted.
    const wipeAt = Date.now();
    await pipeline.stop();
    await dropDatabase(databaseUrl);
    await nats.kill("SIGKILL");
    await rm(storeDir, { recursive: true, force: true });
    nats = await startOwnNats(natsPort, storeDir);

    // 5. Restore; 6. resume: services up, and a new webhook delivered end to end.
    const restoreStart = Date.now();
    const restore = await backupCli(["restore", report.id, "--json"], cliEnv);
    expect(restore.code, restore.stderr).toBe(0);
    const restored = JSON.parse(restore.stdout) as {
      resumed: Array<{ durable: string; startSequence: number; replay: number }>;
    };
    await pipeline.start();
    const ready = Date.now();
    const probe = startLoad({
      gatewayUrl: pipeline.gatewayUrl,
      sourceId: source.body.id,
      secret: SECRET,
      concurrency: 1,
    });
    await eventually(
      () => probe.sent.some((x) => x.status === 202),
      "a webhook accepted after the restore",
    );
    await probe.stop();
    const fresh = probe.sent.find((x) => x.status === 202);
    await eventually(
      () => subscriber.received.some((d) => d.body.toString().includes(fresh?.marker ?? "?")),
      "the first new webhook delivered after the restore",
    );
    const rtoEnd = Date.now();

    // Every webhook acknowledged before the backup point is stored exactly once.
    const acked = load.sent.filter((x) => x.status === 202 && x.webhookId);
    const mustSurvive = acked.filter((x) => x.ackedAt < backupPoint);
    const store = openDatabase({ url: databaseUrl, poolSize: 1 });
    const counts = async () => {
      const { rows } = await sql<{ id: string; n: number }>`
        SELECT data->>'webhookId' AS id, count(*)::int AS n FROM events
        WHERE type = 'WebhookReceived' GROUP BY 1`.execute(store.db);
      return new Map(rows.map((r) => [r.id, r.n]));
    };
    try {
      await eventually(
        async () => {
          const c = await counts();
          return mustSurvive.every((x) => c.has(x.webhookId as string));
        },
        "the processor to replay what Postgres lacked",
        30_000,
      );
      const stored = await counts();
      const missing = mustSurvive.filter((x) => !stored.has(x.webhookId as string));
      const doubled = [...stored].filter(([, n]) => n !== 1);
      expect(missing).toEqual([]);
      expect(doubled).toEqual([]);
      const lost = acked.filter((x) => !stored.has(x.webhookId as string));
      // Only what was acknowledged after the backup point can be lost.
      expect(lost.filter((x) => x.ackedAt < backupPoint)).toEqual([]);
      const afterBackup = acked.filter((x) => x.ackedAt >= backupPoint);

      // Deliveries resumed too: each surviving webhook reaches the subscriber (at least once).
      await eventually(
        () => {
          const delivered = new Set(
            subscriber.received.map((d) => JSON.parse(d.body.toString()).marker),
          );
          return mustSurvive.every((x) => delivered.has(x.marker));
        },
        "a delivery of every webhook acknowledged before the backup",
        30_000,
      );

      // Nothing was given up on: a delivery request never outran its webhook's restore.
      const { rows: dead } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM dead_letters`.execute(store.db);
      expect(dead[0]?.n).toBe(0);

      const lastLost = Math.max(...lost.map((x) => x.ackedAt), backupPoint);
      const result = {
        webhooksAcked: acked.length,
        ackedBeforeBackup: mustSurvive.length,
        ackedBetweenPgAndStreamSnapshot: acked.filter(
          (x) => x.ackedAt >= pgPoint && x.ackedAt < backupPoint,
        ).length,
        ackedAfterBackup: afterBackup.length,
        lostAfterBackup: lost.length,
        rpoSeconds: s(wipeAt - backupPoint),
        lostWindowSeconds: s(lastLost - backupPoint),
        rtoSeconds: s(rtoEnd - restoreStart),
        restoreSeconds: s(restore.ms),
        servicesStartSeconds: s(ready - restoreStart - restore.ms),
        backupSeconds: s(report.backup.durationMs),
        verifyL3Seconds: s(report.verify.durationMs),
        backupMB: Number((report.backup.bytes / 1e6).toFixed(2)),
        events: manifest.postgres.tables["public.events"].rows,
        streamMessages: Object.fromEntries(
          manifest.jetstream.streams.map((x: { name: string; state: { messages: number } }) => [
            x.name,
            x.state.messages,
          ]),
        ),
        resumed: restored.resumed,
      };
      console.log(`disaster drill: ${JSON.stringify(result, null, 2)}`);
      expect(result.rtoSeconds).toBeLessThan(60);
    } finally {
      await store.close();
    }
  }, 90_000);
});
