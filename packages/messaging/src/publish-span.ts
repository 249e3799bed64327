import {
  type Context,
  context,
  INVALID_TRACEID,
  type Span,
  type SpanContext,
  SpanKind,
  TraceFlags,
  trace,
} from "@opentelemetry/api";

// A proxy until the SDK registers, then its tracer (resolved once).
const tracer = trace.getTracer("hookrail-messaging");

/** The PRODUCER span of one publish, under the given (or active) context. */
export function startPublishSpan(
  subject: string,
  opts: { msgId: string; messageType: string; requestId?: string; context?: Context },
): { span: Span; context: Context } {
  const parent = opts.context ?? context.active();
  // A trace that is not kept gets no span of its own: its parent's context travels on, flagged
  // not sampled, so every service after this one drops it too. Skipping the span (ids, sampler,
  // context) matters because under load most webhooks' traces are not kept.
  const active = trace.getSpan(parent);
  if (active && !active.isRecording() && isUnsampled(active.spanContext()))
    return { span: active, context: parent };
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

// Not `isSpanContextValid`: its hex scan of both ids ran on every publish. A span that does not
// record holds either ids the SDK made or extracted (checked then), or the invalid context of a
// suppressed trace, which has the all-zero trace id.
const isUnsampled = (sc: SpanContext) =>
  (sc.traceFlags & TraceFlags.SAMPLED) === 0 && sc.traceId !== INVALID_TRACEID;
