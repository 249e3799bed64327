import { trace } from "@opentelemetry/api";
import { type Logger, pino } from "pino";
import { currentRequestId } from "./request-context.js";

export type { Logger } from "pino";

/** Paths pino replaces with "[redacted]": credentials and signatures never reach a log. */
export const REDACTED_PATHS = [
  "secret",
  "*.secret",
  "key",
  "*.key",
  "apiKey",
  "*.apiKey",
  "password",
  "*.password",
  "authorization",
  "headers.authorization",
  "*.headers.authorization",
  'headers["x-hub-signature-256"]',
  'headers["stripe-signature"]',
  'headers["webhook-signature"]',
  "body",
  "*.body",
];

/**
 * The one logger factory. Every line is JSON and carries `service`, and — while handling a
 * webhook — `requestId`, `traceId` and `spanId` of the active work.
 */
export function createLogger(options: {
  service: string;
  level: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      mixin() {
        const fields: Record<string, string> = {};
        const requestId = currentRequestId();
        if (requestId) fields.requestId = requestId;
        const span = trace.getActiveSpan()?.spanContext();
        if (span && span.traceId !== "00000000000000000000000000000000") {
          fields.traceId = span.traceId;
          fields.spanId = span.spanId;
        }
        return fields;
      },
    },
    options.destination,
  );
}
