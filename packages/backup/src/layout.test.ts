import { describe, expect, it } from "vitest";
import { BackupPathError } from "./errors.js";
import { backupPathProblem, fileInBackup } from "./layout.js";

// F-11: a manifest path reaches the file system only through fileInBackup. No I/O here.

const DIR = "/var/lib/hookrail/backups/20260101T000000Z-abcd";

describe("fileInBackup (F-11)", () => {
  it("gives the absolute path of a plain relative path inside the backup directory", () => {
    expect(fileInBackup(DIR, "postgres.dump")).toBe(`${DIR}/postgres.dump`);
    expect(fileInBackup(`${DIR}/`, "jetstream/HOOKRAIL_WEBHOOKS/stream.tar.s2")).toBe(
      `${DIR}/jetstream/HOOKRAIL_WEBHOOKS/stream.tar.s2`,
    );
    expect(fileInBackup("relative/dir", "a.json")).toMatch(/\/relative\/dir\/a\.json$/);
  });

  it.each([
    ["../../../etc/passwd", "it resolves outside the backup directory"],
    ["jetstream/../../other-backup/postgres.dump", "it resolves outside the backup directory"],
    ["/etc/passwd", "it resolves outside the backup directory"],
    [`${DIR}-evil/postgres.dump`, "it resolves outside the backup directory"],
    ["..", "it resolves outside the backup directory"],
    [".", "it resolves outside the backup directory"],
    ["", "it resolves outside the backup directory"],
    ["jetstream/../postgres.dump", "it holds a .. segment"],
    ["..\\..\\etc\\passwd", "it holds a backslash (manifest paths are /-separated)"],
    ["postgres.dump\0.json", "it holds a NUL character"],
    ["C:/backups/postgres.dump", "it is absolute"],
    ["jetstream//backup.json", "it holds an empty or . segment"],
    ["jetstream/./backup.json", "it holds an empty or . segment"],
    ["jetstream/a b/backup.json", "it holds a character outside A-Z a-z 0-9 _ . - /"],
  ])("refuses %j with a BackupPathError: %s", (path, reason) => {
    let thrown: unknown;
    try {
      fileInBackup(DIR, path);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BackupPathError);
    expect(thrown).toMatchObject({ name: "BackupPathError", path, reason });
    expect((thrown as Error).message).toBe(
      `the manifest path ${JSON.stringify(path)} is refused: ${reason}`,
    );
  });
});

describe("backupPathProblem (F-11)", () => {
  it("accepts the paths a backup writes", () => {
    for (const path of [
      "postgres.dump",
      "jetstream/HOOKRAIL_WEBHOOKS/stream.tar.s2",
      "jetstream/t-1_x.y/backup.json",
      "..dump",
    ])
      expect(backupPathProblem(path)).toBeUndefined();
  });

  it.each([
    ["/etc/passwd", "it is absolute"],
    ["/", "it is absolute"],
    ["c:\\windows", "it holds a backslash (manifest paths are /-separated)"],
    ["D:x", "it is absolute"],
    ["..", "it holds a .. segment"],
    ["../x", "it holds a .. segment"],
    ["a/../../x", "it holds a .. segment"],
    ["a/..", "it holds a .. segment"],
    ["a\\b", "it holds a backslash (manifest paths are /-separated)"],
    ["a\0", "it holds a NUL character"],
    ["", "it is empty"],
  ])("refuses %j: %s", (path, reason) => {
    expect(backupPathProblem(path)).toBe(reason);
  });
});
