/**
 * @hookrail/observability — how every Hookrail process is seen: one logger, the request
 * context, the ops server (/healthz, /readyz, /metrics), and the telemetry bootstrap.
 */

export { traceRequests } from "./http-server.js";
export { createLogger, flushLogs, type Logger, REDACTED_PATHS } from "./logger.js";
export {
  appendDuration,
  backupDuration,
  backupLastSuccessTimestamp,
  backupLastVerificationOk,
  backupSize,
  deadLetters,
  deliveryAttempts,
  deliveryLatency,
  natsReconnects,
  observeGauge,
  processingDuration,
  webhooksReceived,
} from "./metrics.js";
export { type OpsServerOptions, type ReadinessCheck, startOpsServer } from "./ops-server.js";
export { currentRequestId, withRequestId } from "./request-context.js";
export { flushErrors, reportError } from "./sentry.js";
export { prometheusHandler, stopTelemetry } from "./state.js";
