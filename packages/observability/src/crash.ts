import { createLogger, flushLogs } from "./logger.js";
import { flushErrors, reportError } from "./sentry.js";

/**
 * An uncaught exception or unhandled rejection leaves the process in an unknown state: log it,
 * report it to Sentry, flush, and exit non-zero so the supervisor restarts a clean process.
 */
export function installCrashHandlers(service: string, level: string): void {
  const logger = createLogger({ service, level });
  let crashing = false;
  const crash = (kind: string) => (error: unknown) => {
    if (crashing) return;
    crashing = true;
    logger.fatal({ err: error, kind }, "crashing");
    reportError(error, { tags: { crash: kind } });
    void Promise.all([flushErrors(2000), flushLogs(2000)]).finally(() => process.exit(1));
  };
  process.on("uncaughtException", crash("uncaughtException"));
  process.on("unhandledRejection", crash("unhandledRejection"));
}
