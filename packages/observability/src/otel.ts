import type { IncomingMessage } from "node:http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { ExpressInstrumentation } from "@opentelemetry/instrumentation-express";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { TelemetryConfig } from "./env.js";
import { observeProcess } from "./process-metrics.js";

/**
 * Starts the NodeSDK. Traces are exported only where an OTLP endpoint is configured (else spans
 * still exist, so logs and Sentry carry trace ids); metrics are read by Prometheus from the ops
 * port, whose own requests are not traced.
 */
export async function startOpenTelemetry(options: {
  env: TelemetryConfig;
  service: string;
  opsPort: number;
  release: string;
}) {
  const { env, opsPort } = options;
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const exporter = await traceExporter(env);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.service,
      [ATTR_SERVICE_VERSION]: options.release,
      "service.namespace": "hookrail",
    }),
    autoDetectResources: false,
    // Batching keeps span export off the request path.
    spanProcessors: exporter
      ? [
          new BatchSpanProcessor({
            exporter,
            maxQueueSize: 8192,
            maxExportBatchSize: 1024,
            scheduledDelayMillis: 500,
          }),
        ]
      : [],
    metricReaders: [prometheus],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => req.socket.localPort === opsPort,
      }),
      new ExpressInstrumentation(),
      // Only inside a trace: pollers (retry timers, readiness checks) would make orphan roots.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  observeProcess();
  return {
    metricsHandler: prometheus.getMetricsRequestHandler.bind(prometheus),
    shutdown: () => sdk.shutdown(),
  };
}

async function traceExporter(env: TelemetryConfig): Promise<SpanExporter | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  // The exporters read the endpoint (appending /v1/traces to the base one) and headers themselves.
  if (protocol === "http/json") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter();
}
