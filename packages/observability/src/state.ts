import type { IncomingMessage, ServerResponse } from "node:http";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the preload started, for the service to use later (one module instance per process). */
export const telemetryState: { metricsHandler?: Handler; shutdown?: () => Promise<void> } = {};

/** Serves /metrics in Prometheus text format; undefined when telemetry is off. */
export const prometheusHandler = (): Handler | undefined => telemetryState.metricsHandler;

/** Flushes spans; services call it last when they stop. */
export const stopTelemetry = async (): Promise<void> => telemetryState.shutdown?.();
