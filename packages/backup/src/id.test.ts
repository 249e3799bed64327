import { describe, expect, it } from "vitest";
import { createdAtOf } from "./catalog.js";
import { isBackupId, newBackupId } from "./id.js";

describe("backup ids", () => {
  it("encode the start time to the millisecond, sort in time order and read back", () => {
    const a = newBackupId(new Date("2026-11-29T06:30:00.250Z"));
    const b = newBackupId(new Date("2026-11-29T06:30:00.251Z"));
    expect(a).toMatch(/^20261129T063000\.250Z-[0-9a-f]{4}$/);
    expect(isBackupId(a)).toBe(true);
    expect([b, a].sort()).toEqual([a, b]);
    expect(createdAtOf(a).toISOString()).toBe("2026-11-29T06:30:00.250Z");
  });

  it("refuse anything that could leave BACKUP_DIR", () => {
    for (const bad of ["..", "../x", "20261129T063000.250Z-1a2b/..", "", "latest"])
      expect(isBackupId(bad)).toBe(false);
  });
});
