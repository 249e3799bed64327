import { open, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestFile } from "../files.js";
import { openNats } from "../jetstream/connect.js";
import { MANIFEST_FILE, type Manifest } from "../manifest.js";
import { takeBackup } from "../take.js";
import { type Installation, startInstallation } from "../test-support/fixture.js";
import { readVerification, verifyBackup } from "./verify.js";

// The verifier must fail on every kind of damage, each with a reason an operator can act on.

let inst: Installation;

beforeAll(async () => {
  inst = await startInstallation();
  await inst.seed(40, 25);
}, 60_000);
afterAll(async () => inst?.destroy());

async function fresh(): Promise<{ id: string; dir: string; manifest: Manifest }> {
  const taken = await takeBackup(inst.settings, inst.nc);
  if (!taken.ok) throw new Error(taken.error);
  return taken;
}

async function flipByte(path: string, at: number): Promise<void> {
  const handle = await open(path, "r+");
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, at);
    b[0] = (b[0] as number) ^ 0x01;
    await handle.write(b, 0, 1, at);
  } finally {
    await handle.close();
  }
}

/** Rewrites the manifest's checksums to match the files as they now are (level 1 then passes). */
async function resign(dir: string, manifest: Manifest): Promise<void> {
  for (const f of manifest.files) Object.assign(f, await digestFile(join(dir, f.path)));
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
}

/** The WEBHOOKS snapshot (the stream with messages the fixture seeded most of). */
const snapshotOf = (m: Manifest) =>
  m.jetstream.streams.find((s) => s.name === inst.topology.streams.webhooks.name)
    ?.snapshotFile as string;

describe("verifyBackup", () => {
  it("passes a good backup at level 3 and records the result beside it", async () => {
    const { id, dir } = await fresh();
    const lines: string[] = [];
    const v = await verifyBackup(inst.settings, id, 3, { progress: (l) => lines.push(l) });
    if (!v.ok) throw new Error(v.error);
    const names = v.record.checks.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "manifest",
        "file postgres.dump",
        "pg_restore --list",
        `snapshot ${inst.topology.streams.webhooks.name}`,
        "table public.events",
        "table public.webhooks",
        "last processed sequence",
        `stream ${inst.topology.streams.webhooks.name}`,
        "replay from processor",
        "postgres within the stream",
        "event versions contiguous",
        "projections equal a replay",
      ]),
    );
    expect(v.record.checks.every((c) => c.ok)).toBe(true);
    expect(lines.some((l) => l.includes("level 3"))).toBe(true);
    expect(await readVerification(dir)).toMatchObject({ id, level: 3, ok: true });
  });

  it("fails on a flipped byte: the file's sha256 differs from the manifest", async () => {
    const { id, dir } = await fresh();
    await flipByte(join(dir, "postgres.dump"), 100);
    const v = await verifyBackup(inst.settings, id, 3);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.error).toMatch(
        /file postgres\.dump: postgres\.dump sha256 is [0-9a-f]+, the manifest says [0-9a-f]+ \(the content changed\)/,
      );
    expect(await readVerification(dir)).toMatchObject({ ok: false, level: 3 });
  });

  it("fails on a truncated file: its size differs from the manifest", async () => {
    const { id, dir, manifest } = await fresh();
    const file = snapshotOf(manifest);
    const size = manifest.files.find((f) => f.path === file)?.bytes ?? 0;
    await truncate(join(dir, file), size - 10);
    const v = await verifyBackup(inst.settings, id, 1);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.error).toContain(
        `${file} has ${size - 10} bytes, the manifest says ${size} (truncated`,
      );
  });

  it("fails on a missing manifest: the backup is incomplete", async () => {
    const { id, dir } = await fresh();
    await rm(join(dir, MANIFEST_FILE));
    const v = await verifyBackup(inst.settings, id, 3);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.error).toBe(
        "manifest: manifest.json is missing: the backup is incomplete or was damaged",
      );
  });

  it("fails on an unknown id, without touching the file system outside BACKUP_DIR", async () => {
    const v = await verifyBackup(inst.settings, "../../etc", 1);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/is not a backup id/);
  });

  it("refuses a manifest path that escapes the backup dir (F-11), even with matching checksums", async () => {
    // A file outside the backup, listed with its true size and sha256: followed, level 1 would pass.
    const { id, dir, manifest } = await fresh();
    const outside = join(dir, "..", `outside-${id}.txt`);
    await writeFile(outside, "not part of any backup\n");
    try {
      const escaping = structuredClone(manifest);
      escaping.files.push({ path: `../outside-${id}.txt`, bytes: 0, sha256: "0".repeat(64) });
      await resign(dir, escaping); // its true size and sha256
      const v = await verifyBackup(inst.settings, id, 1);
      expect(v.ok).toBe(false);
      if (!v.ok)
        expect(v.error).toMatch(
          /^manifest: manifest\.json is malformed at files\.\d+\.path: not a path inside the backup: it holds a \.\. segment$/,
        );
      // The stream's metadata and snapshot files, and the dump, are refused the same way.
      for (const [field, set] of [
        [
          "metadataFile",
          (m: Manifest) =>
            Object.assign(m.jetstream.streams[0] ?? {}, { metadataFile: "/etc/passwd" }),
        ],
        [
          "snapshotFile",
          (m: Manifest) =>
            Object.assign(m.jetstream.streams[0] ?? {}, { snapshotFile: "jetstream/../../x" }),
        ],
        ["dumpFile", (m: Manifest) => Object.assign(m.postgres, { dumpFile: "..\\x" })],
      ] as const) {
        const m = structuredClone(manifest);
        set(m);
        await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(m));
        const w = await verifyBackup(inst.settings, id, 2);
        expect(w.ok, field).toBe(false);
        if (!w.ok)
          expect(w.error, field).toMatch(
            new RegExp(`\\.${field}: not a path inside the backup: it `),
          );
      }
    } finally {
      await rm(outside, { force: true });
    }
  });

  it("catches a flipped byte inside a snapshot at level 2 even when the manifest was rewritten to match", async () => {
    const { id, dir, manifest } = await fresh();
    const file = snapshotOf(manifest);
    const size = manifest.files.find((f) => f.path === file)?.bytes ?? 0;
    await flipByte(join(dir, file), Math.floor(size / 2));
    await resign(dir, manifest);
    expect((await verifyBackup(inst.settings, id, 1)).ok).toBe(true);
    const v = await verifyBackup(inst.settings, id, 2);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.error).toMatch(
        /^snapshot \S+: snapshot .* is unreadable: (checksum mismatch|corrupt block)/,
      );
  });

  it("catches a truncated dump at level 3 when the manifest was rewritten to match", async () => {
    const { id, dir, manifest } = await fresh();
    const size = manifest.files.find((f) => f.path === "postgres.dump")?.bytes ?? 0;
    await truncate(join(dir, "postgres.dump"), Math.floor(size * 0.8));
    await resign(dir, manifest);
    const v = await verifyBackup(inst.settings, id, 3);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/^scratch restore: pg_restore failed/);
  });

  it("fails at level 3 on an altered row in the restored copy: content hash and projection differ", async () => {
    const { id } = await fresh();
    const v = await verifyBackup(inst.settings, id, 3, {
      hooks: {
        afterRestore: (copy) =>
          sql(
            copy.databaseUrl,
            "UPDATE webhooks SET event_type = 'tampered' WHERE id = (SELECT id FROM webhooks ORDER BY id LIMIT 1)",
          ),
      },
    });
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.error).toMatch(
        /^table public\.webhooks: public\.webhooks content differs from the backup: hash [0-9a-f]{12}…, manifest [0-9a-f]{12}… \(25 rows\)/,
      );
    const projection = v.record.checks.find((c) => c.name === "projections equal a replay");
    expect(projection).toMatchObject({ ok: false });
    expect(projection?.detail).toMatch(
      /projection webhooks differs from a replay of the events \(1 rows only restored, 1 only rebuilt\)/,
    );
  });

  it("fails at level 3 on an event inserted into the restored copy: counts and version contiguity", async () => {
    const { id } = await fresh();
    const v = await verifyBackup(inst.settings, id, 3, {
      hooks: {
        afterRestore: (copy) =>
          sql(
            copy.databaseUrl,
            `INSERT INTO events (event_id, stream_id, version, type, data, metadata)
             SELECT gen_random_uuid(), stream_id, 3, 'WebhookReplayRequested', '{}', '{}'
             FROM events WHERE type = 'WebhookReceived' LIMIT 1`,
          ),
      },
    });
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.error).toBe(
        "table public.events: public.events has 53 rows restored, the manifest says 52",
      );
    const gaps = v.record.checks.find((c) => c.name === "event versions contiguous");
    expect(gaps?.ok).toBe(false);
    expect(gaps?.detail).toMatch(/^stream webhook-\S+ has 2 events with versions 1\.\.3/);
  });

  it("fails at level 3 on a message missing from the restored stream", async () => {
    const { id } = await fresh();
    const stream = inst.topology.streams.webhooks.name;
    const v = await verifyBackup(inst.settings, id, 3, {
      hooks: {
        afterRestore: async (copy) => {
          const nc = await openNats([copy.natsUrl], "tamper");
          await (await jetstreamManager(nc)).streams.deleteMessage(stream, 7);
          await nc.close();
        },
      },
    });
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.error).toMatch(
        new RegExp(
          `^stream ${stream}: ${stream} restored with 39 messages \\(seq 1\\.\\.40, \\d+ bytes\\), the manifest says 40 \\(seq 1\\.\\.40, \\d+ bytes\\)$`,
        ),
      );
  });
});

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
