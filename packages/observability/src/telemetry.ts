import { register } from "node:module";
import { ConfigError, parseConfig } from "@hookrail/config";
import { processEnvironment, TelemetryEnv } from "./env.js";
import { telemetryState } from "./state.js";

// First, before anything else loads: OpenTelemetry's ESM hook, so http and pg are patched when
// the service imports them (express is traced by http-server.ts, which needs no patching).
// Only the modules an instrumentation patches are wrapped: wrapping every ESM module the services
// load cost each of them about 40 MiB of memory and start-up time, for modules nobody patches.
register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, {
  data: { include: ["pg", "pg-pool", "http", "https", "node:http", "node:https"] },
});

export interface TelemetryOptions {
  /** The service's name: `gateway`, `processor`, … */
  service: string;
}

/**
 * The one telemetry bootstrap, run by each service's preload (`--import ./dist/instrument.js`):
 * the OpenTelemetry NodeSDK (OTLP traces over http/protobuf or http/json, Prometheus metrics on
 * the ops port, http/express/pg instrumentation), then Sentry linked to it, then handlers that
 * report a crash, flush and exit non-zero. Exactly one global OTel registration happens here.
 */
export async function startTelemetry(options: TelemetryOptions): Promise<void> {
  let env: ReturnType<typeof TelemetryEnv.parse>;
  try {
    env = parseConfig(TelemetryEnv, processEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${options.service}: ${error.message}\n`);
    process.exit(78);
  }
  const { defaultRelease } = await import("./release.js");
  const release = env.SENTRY_RELEASE ?? defaultRelease(env.GIT_SHA);
  if (env.OTEL_SDK_DISABLED !== "true") {
    const { startOpenTelemetry } = await import("./otel.js");
    const otel = await startOpenTelemetry({ env, service: options.service, release });
    telemetryState.metricsHandler = otel.metricsHandler;
    telemetryState.shutdown = otel.shutdown;
  }
  if (env.SENTRY_DSN) {
    const { initSentry } = await import("./sentry.js");
    await initSentry({
      dsn: env.SENTRY_DSN,
      release,
      environment: env.SENTRY_ENVIRONMENT,
      service: options.service,
    });
  }
  const { installCrashHandlers } = await import("./crash.js");
  installCrashHandlers(options.service, env.LOG_LEVEL);
}
