import {
  BodyTooLarge,
  BrokerUnavailable,
  InvalidRequest,
  InvalidSignature,
  NotFound,
  RateLimited,
  UnsupportedContentType,
} from "@hookrail/http";

/**
 * The `outcome` label of hookrail_webhooks_received_total for a rejected webhook: why it was
 * refused, in words an operator can act on.
 */
export function rejectionOutcome(error: unknown): string {
  if (error instanceof InvalidSignature) return error.reason;
  if (error instanceof NotFound) return "unknown_source";
  if (error instanceof BodyTooLarge) return "too_large";
  if (error instanceof UnsupportedContentType) return "unsupported_content_type";
  if (error instanceof InvalidRequest) return "invalid";
  if (error instanceof RateLimited) return "rate_limited";
  if (error instanceof BrokerUnavailable) return "broker_unavailable";
  const type = (error as { type?: string })?.type;
  if (type === "entity.too.large") return "too_large";
  return "error";
}
