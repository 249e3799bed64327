import { mkdir } from "node:fs/promises";
import {
  describeSchedule,
  isVerified,
  listBackups,
  runBackupCycle,
  startScheduler,
} from "@hookrail/backup";
import { bootService } from "@hookrail/runtime";
import { loadBackupAgentConfig } from "./env.js";
import { recordCycle, recordExistingBackups } from "./metrics.js";
import { backupSchedule, backupSettings, retentionPolicy } from "./settings.js";

const config = loadBackupAgentConfig();
const service = await bootService({
  service: "backup-agent",
  config,
  opsPort: config.METRICS_PORT,
});
const settings = backupSettings(config);
const schedule = backupSchedule(config);
const verifyLevel = config.BACKUP_VERIFY_LEVEL as 0 | 1 | 2 | 3;
const log = service.logger;

// eslint-disable-next-line security/detect-non-literal-fs-filename -- BACKUP_DIR from the operator's config, not request input
await mkdir(settings.backupDir, { recursive: true });
await recordExistingBackups(settings.backupDir, verifyLevel);

const scheduler = startScheduler({
  schedule,
  retryAfterMs: config.BACKUP_RETRY_AFTER,
  lastGood: async () =>
    (await listBackups(settings.backupDir)).find((e) =>
      verifyLevel === 0 ? e.complete : isVerified(e, verifyLevel),
    )?.createdAt,
  onPlanned: (at) => log.info({ at: at.toISOString() }, "next backup planned"),
  run: async () => {
    const report = await runBackupCycle(settings, service.nats, {
      verifyLevel,
      retention: retentionPolicy(config),
      progress: (line) => log.info(line),
    });
    recordCycle(report);
    if (report.ok) log.info({ report }, "backup done");
    else log.error({ report }, `backup failed: ${report.error}`);
    return report.ok;
  },
});
service.shutdown.onStopIntake({ name: "backup scheduler", stop: () => scheduler.stop() });
log.info(
  { backupDir: settings.backupDir, schedule: describeSchedule(schedule), verifyLevel },
  "backup agent running",
);
