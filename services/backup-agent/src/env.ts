import { isAbsolute, resolve } from "node:path";
import { CronError, type CronExpression, nextCronTime, parseCron } from "@hookrail/backup";
import { commonEnv, duration, loadConfig, parseConfig, port, postgresUrl } from "@hookrail/config";
import { z } from "zod";

const count = (fallback: number, min = 0) =>
  z.coerce.number().int().min(min).max(10_000).default(fallback);

const cron = () =>
  z.string().transform((text, ctx): CronExpression => {
    try {
      const expression = parseCron(text);
      nextCronTime(expression, new Date()); // refuses one that never matches (Feb 30)
      return expression;
    } catch (error) {
      if (!(error instanceof CronError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
      return z.NEVER;
    }
  });

/** The backup agent's (and the backup CLI's) environment; nothing else reads process.env. */
export const BackupAgentEnv = z
  .object({
    ...commonEnv,
    METRICS_PORT: port().default(9467).describe("The ops port: /metrics, /healthz, /readyz."),
    BACKUP_DIR: z
      .string()
      .min(1)
      .default("./backups")
      .describe(
        "Where backups are written, one directory each. Relative: from where pnpm was started.",
      ),
    BACKUP_INTERVAL: duration()
      .optional()
      .describe(
        "Take a backup this long after the last good one, e.g. `12h`. Neither this nor BACKUP_CRON set: every 6 hours.",
      ),
    BACKUP_CRON: cron()
      .optional()
      .describe("Or at the times of a 5-field cron expression, in UTC, e.g. `30 2 * * *`."),
    BACKUP_RETRY_AFTER: duration()
      .prefault("15m")
      .describe("After a failed backup, try again this much later (rather than a whole interval)."),
    BACKUP_VERIFY_LEVEL: z.coerce
      .number()
      .int()
      .min(0)
      .max(3)
      .default(3)
      .describe(
        "How each backup is verified after it is taken: 1 checksums, 2 structure, 3 scratch restore; 0 not at all.",
      ),
    BACKUP_KEEP_LAST: count(7, 1).describe("Retention: the newest N verified backups…"),
    BACKUP_KEEP_DAILY: count(7).describe(
      "…plus the newest of each of the last N days that have one…",
    ),
    BACKUP_KEEP_WEEKLY: count(4).describe(
      "…plus the newest of each of the last N weeks that have one.",
    ),
    BACKUP_SCRATCH_DATABASE_URL: postgresUrl()
      .optional()
      .describe(
        "Server on which level-3 verification creates (and drops) scratch databases. Default: DATABASE_URL's.",
      ),
    PG_BIN_DIR: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Directory of pg_dump and pg_restore, e.g. /usr/lib/postgresql/17/bin. Default: PATH.",
      ),
    NATS_SERVER_BIN: z
      .string()
      .min(1)
      .optional()
      .describe(
        "nats-server binary for level-3 verification, the production version. Default: found on PATH or in /usr/sbin.",
      ),
    INIT_CWD: z
      .string()
      .optional()
      .describe("Set by pnpm to where it was started; relative BACKUP_DIRs are taken from there."),
  })
  .superRefine((env, ctx) => {
    if (env.BACKUP_INTERVAL !== undefined && env.BACKUP_CRON !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["BACKUP_CRON"],
        message: "set BACKUP_INTERVAL or BACKUP_CRON, not both",
      });
    if (env.BACKUP_INTERVAL !== undefined && env.BACKUP_INTERVAL < 60_000)
      ctx.addIssue({ code: "custom", path: ["BACKUP_INTERVAL"], message: "must be at least 1m" });
  })
  .transform(({ INIT_CWD, ...env }) => ({
    ...env,
    BACKUP_DIR: isAbsolute(env.BACKUP_DIR)
      ? env.BACKUP_DIR
      : resolve(INIT_CWD ?? process.cwd(), env.BACKUP_DIR),
  }));
export type BackupAgentConfig = z.output<typeof BackupAgentEnv>;

export const loadBackupAgentConfig = () => loadConfig(BackupAgentEnv, "backup-agent");

/** Parses a given environment (the CLI's, or a test's); throws ConfigError. */
export const parseBackupAgentConfig = (env: Readonly<Record<string, string | undefined>>) =>
  parseConfig(BackupAgentEnv, env);
