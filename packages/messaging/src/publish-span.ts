import { type Context, context, type Span, SpanKind, trace } from "@opentelemetry/api";

// A proxy until the SDK registers, then its tracer (resolved once).
const tracer = trace.getTracer("hookrail-messaging");

/** The PRODUCER span of one publish, under the given (or active) context. */
export function startPublishSpan(
  subject: string,
  opts: { msgId: string; messageType: string; requestId?: string; context?: Context },
): { span: Span; context: Context } {
  const parent = opts.context ?? context.active();
  const span = tracer.startSpan(`publish ${opts.messageType}`, { kind: SpanKind.PRODUCER }, parent);
  // Attributes only for a span that is kept: most publishes' traces are sampled out under load.
  if (span.isRecording())
    span.setAttributes({
      "messaging.system": "nats",
      "messaging.operation.type": "send",
      "messaging.operation.name": "publish",
      "messaging.destination.name": subject,
      "messaging.message.id": opts.msgId,
      ...(opts.requestId ? { "hookrail.request_id": opts.requestId } : {}),
    });
  return { span, context: trace.setSpan(parent, span) };
}
