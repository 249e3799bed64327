import { ConfigError } from "@hookrail/config";
import { describe, expect, it } from "vitest";
import { parseBackupAgentConfig } from "./env.js";
import { backupSchedule, retentionPolicy } from "./settings.js";

function problems(env: Record<string, string>): string[] {
  try {
    parseBackupAgentConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("backup-agent environment", () => {
  it("defaults: every 6 hours, level 3, ops port 9467, ./backups from where pnpm started", () => {
    const c = parseBackupAgentConfig({ INIT_CWD: "/srv/hookrail" });
    expect(c.METRICS_PORT).toBe(9467);
    expect(c.BACKUP_VERIFY_LEVEL).toBe(3);
    expect(c.BACKUP_DIR).toBe("/srv/hookrail/backups");
    expect(backupSchedule(c)).toEqual({ kind: "interval", everyMs: 6 * 3_600_000 });
    expect(retentionPolicy(c)).toEqual({ keepLast: 7, keepDaily: 7, keepWeekly: 4 });
    expect(c.BACKUP_RETRY_AFTER).toBe(15 * 60_000);
  });

  it("takes an interval or a cron expression", () => {
    expect(backupSchedule(parseBackupAgentConfig({ BACKUP_INTERVAL: "90m" }))).toEqual({
      kind: "interval",
      everyMs: 90 * 60_000,
    });
    const cron = backupSchedule(parseBackupAgentConfig({ BACKUP_CRON: "30 2 * * *" }));
    expect(cron.kind === "cron" && cron.cron.source).toBe("30 2 * * *");
    expect(parseBackupAgentConfig({ BACKUP_DIR: "/var/backups/hookrail" }).BACKUP_DIR).toBe(
      "/var/backups/hookrail",
    );
  });

  it("names each bad variable", () => {
    expect(problems({ BACKUP_INTERVAL: "6h", BACKUP_CRON: "0 * * * *" })).toEqual([
      'BACKUP_CRON: set BACKUP_INTERVAL or BACKUP_CRON, not both (got "0 * * * *")',
    ]);
    expect(problems({ BACKUP_CRON: "0 0 30 2 *" })).toEqual([
      'BACKUP_CRON: "0 0 30 2 *" never matches (got "0 0 30 2 *")',
    ]);
    expect(problems({ BACKUP_INTERVAL: "10s" })).toEqual([
      'BACKUP_INTERVAL: must be at least 1m (got "10s")',
    ]);
    expect(problems({ BACKUP_VERIFY_LEVEL: "4", BACKUP_KEEP_LAST: "0" })).toHaveLength(2);
  });
});
