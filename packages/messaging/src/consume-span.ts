import type { JsMsg } from "@nats-io/jetstream";
import { type Context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { extractTraceContext } from "./trace.js";

const tracer = () => trace.getTracer("hookrail-messaging");

/**
 * The CONSUMER span of one delivered message (OpenTelemetry messaging conventions), a child of
 * the publisher's context carried in the headers, so one webhook is one trace across services.
 */
export function startConsumeSpan(
  msg: JsMsg,
  headers: Record<string, string>,
  durable: string,
): { span: Span; context: Context } {
  const parent = extractTraceContext(headers);
  const type = headers["hookrail-message-type"] ?? "message";
  const span = tracer().startSpan(
    `process ${type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": msg.subject,
        "messaging.consumer.group.name": durable,
        "messaging.message.id": headers["nats-msg-id"] ?? "",
        "messaging.nats.stream.sequence": msg.seq,
        "messaging.nats.message.delivery_count": msg.info.deliveryCount,
        ...(headers["x-request-id"] ? { "hookrail.request_id": headers["x-request-id"] } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
