import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor, NoopSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { EmitBindingContextManager } from "./context-manager.js";
import type { TelemetryConfig } from "./env.js";
import { PooledIdGenerator } from "./id-generator.js";
import { decideNewTracesWith } from "./new-trace.js";
import { observeProcess } from "./process-metrics.js";
import { W3CPropagator } from "./propagator.js";
import { keepRequestIdsInTraceContext } from "./request-context.js";
import { defaultSampler, ReservoirRatioSampler } from "./sampler.js";
import { talliedMetrics } from "./tallied-histogram.js";

/**
 * Starts the NodeSDK. Traces are exported only where an OTLP endpoint is configured (else spans
 * still exist, so logs and Sentry carry trace ids); metrics are read by Prometheus from the ops
 * port, whose own requests are not traced.
 */
export async function startOpenTelemetry(options: {
  env: TelemetryConfig;
  service: string;
  release: string;
}) {
  const { env } = options;
  // Tallied histograms (the HTTP server's request duration) are read with the SDK's metrics.
  const prometheus = new PrometheusExporter({
    preventServerStart: true,
    metricProducers: [talliedMetrics.enable()],
  });
  const exporter = await traceExporter(env);
  const collector = collectorOrigin(env);
  // OTEL_TRACES_SAMPLER, when set, keeps OpenTelemetry's own meaning (the SDK reads it).
  const sampler = env.OTEL_TRACES_SAMPLER
    ? undefined
    : new ReservoirRatioSampler({
        perSecond: env.TRACE_SAMPLE_PER_SECOND,
        ratio: env.TRACE_SAMPLE_RATIO,
      });
  // Pooled random ids: every request makes two, whether or not its trace is kept.
  const idGenerator = new PooledIdGenerator();
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.service,
      [ATTR_SERVICE_VERSION]: options.release,
      "service.namespace": "hookrail",
    }),
    autoDetectResources: false,
    ...(sampler ? { sampler: defaultSampler(sampler) } : {}),
    idGenerator,
    // OTEL_PROPAGATORS, when set, keeps OpenTelemetry's own meaning; else the same W3C pair.
    ...(env.OTEL_PROPAGATORS ? {} : { textMapPropagator: new W3CPropagator() }),
    // Binds requests and responses by their `emit` alone (see context-manager.ts for why).
    contextManager: new EmitBindingContextManager(),
    // Batching keeps span export off the request path. Without an exporter a no-op processor
    // still makes NodeSDK install its tracer provider (it installs none for an empty list), so
    // spans, trace ids in logs and Sentry events, and traceparent propagation all remain.
    spanProcessors: exporter
      ? [
          new BatchSpanProcessor({
            exporter,
            maxQueueSize: env.OTEL_BSP_MAX_QUEUE_SIZE,
            maxExportBatchSize: Math.min(
              env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
              env.OTEL_BSP_MAX_QUEUE_SIZE,
            ),
            scheduledDelayMillis: env.OTEL_BSP_SCHEDULE_DELAY,
          }),
        ]
      : [new NoopSpanProcessor()],
    metricReaders: [prometheus],
    // Logs go to stdout (pino); without this the SDK would set up an OTLP logs exporter.
    logRecordProcessors: [],
    instrumentations: [
      // Outgoing requests only (the notifier's deliveries). A service's own API is traced by
      // `traceRequests` (http-server.ts), for a fraction of the cost per request.
      new HttpInstrumentation({
        disableIncomingRequestInstrumentation: true,
        // The exporter's own POSTs are not the service's traffic: no spans, no client metrics.
        ignoreOutgoingRequestHook: (req) => isCollector(req, collector),
      }),
      // Only inside a trace: pollers (retry timers, readiness checks) would make orphan roots.
      // No `pg.connect`/`pg-pool.connect` span per checkout: they doubled the processor's spans
      // (and the export work, 10% of its CPU) and the pool metrics say the same.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  sdk.start();
  // The SDK decides new traces with these; a request's span may now skip it (new-trace.ts).
  if (sampler) decideNewTracesWith({ sampler, ids: idGenerator });
  keepRequestIdsInTraceContext();
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

/** host:port of the OTLP endpoint, if any. */
function collectorOrigin(env: TelemetryConfig): { host: string; port: string } | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const url = new URL(endpoint);
  return { host: url.hostname, port: url.port || (url.protocol === "https:" ? "443" : "80") };
}

function isCollector(
  req: { hostname?: string | null; host?: string | null; port?: string | number | null },
  collector?: { host: string; port: string },
): boolean {
  if (!collector) return false;
  const host = (req.hostname ?? req.host ?? "").replace(/:\d+$/, "");
  return host === collector.host && String(req.port ?? "") === collector.port;
}
