import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listBackups } from "./catalog.js";
import { runBackupCycle } from "./cycle.js";
import { type Installation, startInstallation } from "./test-support/fixture.js";

let inst: Installation;

beforeAll(async () => {
  inst = await startInstallation();
  await inst.seed(10, 10);
}, 60_000);
afterAll(async () => inst?.destroy());

describe("runBackupCycle", () => {
  const retention = { keepLast: 1, keepDaily: 0, keepWeekly: 0 };

  it("takes and verifies a backup, and prunes older ones only once the new one verified", async () => {
    const first = await runBackupCycle(inst.settings, inst.nc, { verifyLevel: 2, retention });
    expect(first).toMatchObject({
      ok: true,
      pruned: [],
      backup: { ok: true },
      verify: { ok: true, level: 2 },
    });
    const second = await runBackupCycle(inst.settings, inst.nc, { verifyLevel: 2, retention });
    expect(second).toMatchObject({ ok: true, pruned: [first.id] });
    expect((await listBackups(inst.settings.backupDir)).map((b) => b.id)).toEqual([second.id]);
  });

  it("keeps everything when verification is off", async () => {
    const before = await listBackups(inst.settings.backupDir);
    const run = await runBackupCycle(inst.settings, inst.nc, { verifyLevel: 0, retention });
    expect(run).toMatchObject({ ok: true, pruned: [] });
    expect(run.verify).toBeUndefined();
    expect(await listBackups(inst.settings.backupDir)).toHaveLength(before.length + 1);
  });

  it("refuses to run while another live process holds BACKUP_DIR's lock", async () => {
    await writeFile(join(inst.settings.backupDir, ".lock"), String(process.ppid));
    const run = await runBackupCycle(inst.settings, inst.nc, { verifyLevel: 1 });
    expect(run.ok).toBe(false);
    expect(run.error).toBe(
      `another backup job (pid ${process.ppid}) holds ${join(inst.settings.backupDir, ".lock")}`,
    );
    // A lock left by a process that is gone is taken over.
    await writeFile(join(inst.settings.backupDir, ".lock"), "999999");
    expect((await runBackupCycle(inst.settings, inst.nc, { verifyLevel: 1 })).ok).toBe(true);
  });
});
