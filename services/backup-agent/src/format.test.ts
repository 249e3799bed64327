import type { BackupEntry } from "@hookrail/backup";
import { describe, expect, it } from "vitest";
import { formatList } from "./format.js";

describe("backup list", () => {
  it("shows incomplete backups and, for a failed verification, the check that failed", () => {
    const entries = [
      {
        id: "20261129T063000.250Z-1a2b",
        dir: "/b/20261129T063000.250Z-1a2b",
        createdAt: new Date("2026-11-29T06:30:00.250Z"),
        complete: true,
        bytes: 2_500_000,
        verification: {
          id: "20261129T063000.250Z-1a2b",
          level: 3,
          ok: false,
          reason: "file postgres.dump: postgres.dump sha256 is 00…, the manifest says 11…",
          checkedAt: "2026-11-29T06:31:00.000Z",
          durationMs: 1000,
          checks: [],
        },
      },
      {
        id: "20261129T003000.000Z-3c4d",
        dir: "/b/20261129T003000.000Z-3c4d",
        createdAt: new Date("2026-11-29T00:30:00.000Z"),
        complete: false,
        problem: "manifest.json is missing: the backup is incomplete or was damaged",
        bytes: 1_000,
      },
    ] as BackupEntry[];
    const [failed, incomplete] = formatList(entries).trimEnd().split("\n");
    expect(failed).toMatch(
      /^20261129T063000\.250Z-1a2b {2}complete {4}\s+2\.5 MB {2}L3 FAILED 2026-11-29T06:31:00\.000Z.*\(file postgres\.dump: postgres\.dump sha256 is/,
    );
    expect(incomplete).toMatch(/INCOMPLETE .* not verified\s+manifest\.json is missing/);
  });
});
