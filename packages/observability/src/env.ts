import { z } from "zod";

/**
 * Telemetry settings, read once by the preload. OTEL_* variables keep OpenTelemetry's own
 * meanings (the exporters read the endpoint and headers themselves); SENTRY_* keep Sentry's.
 */
export const TelemetryEnv = z.object({
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .optional()
    .describe("The service name on spans and metrics; defaults to the service's own name."),
  OTEL_SDK_DISABLED: z
    .enum(["true", "false"])
    .default("false")
    .describe('"true" turns OpenTelemetry off entirely (no spans, no /metrics data).'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe(
      "Where traces go (OTLP over HTTP, e.g. http://jaeger:4318). Unset (and no traces endpoint): spans are made, for the ids in logs, but not exported.",
    ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url()
    .optional()
    .describe(
      "The traces endpoint itself (the full URL, `/v1/traces` included); overrides OTEL_EXPORTER_OTLP_ENDPOINT for traces.",
    ),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(["http/protobuf", "http/json"])
    .default("http/protobuf")
    .describe("OTLP encoding: http/protobuf or http/json."),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z
    .enum(["http/protobuf", "http/json"])
    .optional()
    .describe("The OTLP encoding for traces only; overrides the above."),
  OTEL_TRACES_SAMPLER: z
    .string()
    .min(1)
    .optional()
    .describe(
      "OpenTelemetry's sampler (always_on, parentbased_traceidratio, …, with OTEL_TRACES_SAMPLER_ARG). Unset: Hookrail's default, parent-based, keeping TRACE_SAMPLE_PER_SECOND new traces each second and TRACE_SAMPLE_RATIO of the rest.",
    ),
  OTEL_PROPAGATORS: z
    .string()
    .min(1)
    .optional()
    .describe(
      "OpenTelemetry's propagators (e.g. tracecontext,baggage,b3). Unset: W3C trace context and baggage.",
    ),
  TRACE_SAMPLE_PER_SECOND: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(10)
    .describe(
      "With OTEL_TRACES_SAMPLER unset: how many new traces each process keeps every second, whatever the ratio (all of them at low traffic).",
    ),
  TRACE_SAMPLE_RATIO: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe(
      "With OTEL_TRACES_SAMPLER unset: the share of new traces kept beyond TRACE_SAMPLE_PER_SECOND (by trace id). 1 keeps every trace (every webhook's spans recorded, exported and stored).",
    ),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce
    .number()
    .int()
    .min(1)
    .max(600_000)
    .default(500)
    .describe(
      "Milliseconds between span exports (OpenTelemetry's batch span processor; its own default is 5000). Hookrail's 500 puts a trace in Jaeger within a second.",
    ),
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(8192)
    .describe(
      "Spans waiting for export at most; beyond it new spans are dropped (and counted by the SDK).",
    ),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1024)
    .describe("Spans per export request at most (not above OTEL_BSP_MAX_QUEUE_SIZE)."),
  SENTRY_DSN: z.url().optional().describe("Sentry project DSN. Unset: no Sentry traffic at all."),
  SENTRY_ENVIRONMENT: z
    .string()
    .min(1)
    .max(64)
    .default("production")
    .describe("Sentry's environment of each event."),
  SENTRY_RELEASE: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("Sentry's release of each event. Defaults to `<version>+<git sha>`."),
  GIT_SHA: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/)
    .optional()
    .describe(
      "The commit, when git is not there to ask (container images pass it at build time); part of the default release.",
    ),
  LOG_LEVEL: z.string().default("info"),
});
export type TelemetryConfig = z.output<typeof TelemetryEnv>;

/** The raw environment, for the preload only (it runs before any service code). */
export const processEnvironment = (): Readonly<Record<string, string | undefined>> => process.env;
