import { readdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listBackups } from "./catalog.js";
import { readManifest } from "./manifest.js";
import { takeBackup } from "./take.js";
import { type Installation, startInstallation } from "./test-support/fixture.js";

let inst: Installation;

beforeAll(async () => {
  inst = await startInstallation();
  await inst.seed(30, 20);
}, 60_000);
afterAll(async () => inst?.destroy());

describe("takeBackup", () => {
  it("writes the dump, one snapshot per stream and the manifest last, describing them exactly", async () => {
    const lines: string[] = [];
    const taken = await takeBackup(inst.settings, inst.nc, { progress: (l) => lines.push(l) });
    if (!taken.ok) throw new Error(taken.error);
    const { manifest } = taken;
    const webhooks = inst.topology.streams.webhooks.name;
    const deliveries = inst.topology.streams.deliveries.name;

    expect(manifest.postgres.tables["public.events"]?.rows).toBe(2 + 20 * 2);
    expect(manifest.postgres.tables["public.webhooks"]?.rows).toBe(20);
    expect(manifest.postgres.tables["public.events"]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.postgres.lastProcessedSequence).toBe(20);
    // Downstream first: DELIVERIES is snapshotted before WEBHOOKS.
    expect(
      manifest.jetstream.streams.map((s) => [s.name, s.state.messages, s.state.last_seq]),
    ).toEqual([
      [deliveries, 20, 20],
      [webhooks, 30, 30],
    ]);
    expect(manifest.jetstream.streams[0]?.consumers).toEqual(["notifier-first", "notifier-retry"]);
    expect(manifest.jetstream.streams[1]?.consumers).toEqual(["processor"]);
    expect(Date.parse(manifest.jetstream.streams[0]?.snapshotAt ?? "")).toBeLessThanOrEqual(
      Date.parse(manifest.jetstream.streams[1]?.requestedAt ?? ""),
    );
    // The processor acked 20 and stored 20: it resumes at 21. The notifier acked nothing yet.
    expect(manifest.resume).toEqual([
      { stream: webhooks, durable: "processor", ackFloor: 20, startSequence: 21 },
      { stream: deliveries, durable: "notifier-first", ackFloor: 0, startSequence: 1 },
      { stream: deliveries, durable: "notifier-retry", ackFloor: 0, startSequence: 1 },
    ]);
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      [
        "postgres.dump",
        `jetstream/${webhooks}/backup.json`,
        `jetstream/${webhooks}/stream.tar.s2`,
        `jetstream/${deliveries}/backup.json`,
        `jetstream/${deliveries}/stream.tar.s2`,
      ].sort(),
    );
    expect(manifest.versions.pgDump).toMatch(/^pg_dump \(PostgreSQL\) \d+/);
    expect(manifest.versions.natsServer).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(manifest.postgres.snapshotAt)).toBeLessThanOrEqual(
      Date.parse(manifest.jetstream.streams[0]?.requestedAt ?? ""),
    );
    expect(lines.some((l) => l.includes("complete"))).toBe(true);

    // No temporary file is left behind, and the manifest reads back.
    const files = await readdir(taken.dir, { recursive: true });
    expect(files.filter((f) => f.includes(".partial"))).toEqual([]);
    const read = await readManifest(taken.dir);
    expect(read.ok).toBe(true);
    const [entry] = await listBackups(inst.settings.backupDir);
    expect(entry).toMatchObject({ id: taken.id, complete: true });
    expect(entry?.bytes).toBe(taken.bytes);
  });

  it("fails cleanly, leaving nothing behind, when pg_dump cannot run", async () => {
    const before = await listBackups(inst.settings.backupDir);
    const taken = await takeBackup(
      { ...inst.settings, tools: { ...inst.settings.tools, pgBinDir: "/nonexistent" } },
      inst.nc,
    );
    expect(taken.ok).toBe(false);
    if (!taken.ok) expect(taken.error).toMatch(/cannot run \/nonexistent\/pg_dump/);
    expect(await listBackups(inst.settings.backupDir)).toHaveLength(before.length);
  });
});
