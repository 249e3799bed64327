import { type Context, context, type Span, SpanKind, trace } from "@opentelemetry/api";

/** The PRODUCER span of one publish, under the given (or active) context. */
export function startPublishSpan(
  subject: string,
  opts: { msgId: string; messageType: string; requestId?: string; context?: Context },
): { span: Span; context: Context } {
  const parent = opts.context ?? context.active();
  const span = trace.getTracer("hookrail-messaging").startSpan(
    `publish ${opts.messageType}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.operation.name": "publish",
        "messaging.destination.name": subject,
        "messaging.message.id": opts.msgId,
        ...(opts.requestId ? { "hookrail.request_id": opts.requestId } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}
