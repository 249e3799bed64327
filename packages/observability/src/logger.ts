import { trace } from "@opentelemetry/api";
import { type Logger, pino } from "pino";
import { compileRedaction } from "./log-redaction.js";
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

/** Applies REDACTED_PATHS to what a line carries (its fields, and a child logger's bindings). */
const redact = compileRedaction(REDACTED_PATHS, "[redacted]");

// One stdout stream for every logger of the process, written asynchronously: a synchronous
// write per line (pino's default) was a syscall per webhook on the gateway's and the notifier's
// event loops, and blocked them whenever the reader of stdout fell behind. Lines logged while a
// write is in flight are written together by the next one. pino flushes the stream
// synchronously on exit; the crash handler and the signal handler also wait for `flushLogs`.
let stdout: pino.DestinationStream | undefined;

function sharedStdout(): pino.DestinationStream {
  // minLength 1, not 0: a line still goes out at once when no write is in flight, but sonic-boom
  // answers `flush(cb)` immediately when minLength is 0, without waiting for that write.
  stdout ??= pino.destination({ dest: 1, sync: false, minLength: 1 });
  return stdout;
}

/**
 * Resolves once every line logged so far to stdout has been written (at most `timeoutMs`):
 * call it before `process.exit`, which would otherwise race a write still in flight.
 */
export function flushLogs(timeoutMs = 2000): Promise<void> {
  const stream = stdout as { flush?: (cb: (err?: Error) => void) => void } | undefined;
  if (!stream?.flush) return Promise.resolve();
  const flush = stream.flush.bind(stream);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    try {
      flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // Not open yet or already closed: nothing is waiting to be written.
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * The one logger factory. Every line is JSON and carries `service`, and — while handling a
 * webhook — `requestId`, `traceId` and `spanId` of the active work.
 */
export function createLogger(options: {
  service: string;
  level: string;
  destination?: pino.DestinationStream;
}): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Redaction here rather than pino's `redact` option: see log-redaction.ts for why.
      formatters: { level: (label) => ({ level: label }), log: redact, bindings: redact },
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
    options.destination ?? sharedStdout(),
  );
  // pino formats only the root's bindings; a child's are redacted on their way in. Children are
  // made from their parent's prototype chain, so every descendant inherits this `child`.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redact(bindings), childOptions);
  } as Logger["child"];
  return logger;
}
