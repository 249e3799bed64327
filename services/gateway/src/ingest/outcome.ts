import {
  BodyTooLarge,
  BrokerUnavailable,
  InvalidRequest,
  InvalidSignature,
  NotFound,
  RateLimited,
  toDomainError,
  UnsupportedContentEncoding,
  UnsupportedContentType,
} from "@hookrail/http";

/**
 * The `outcome` label of hookrail_webhooks_received_total for a rejected webhook: why it was
 * refused, in words an operator can act on.
 */
export function rejectionOutcome(raw: unknown): string {
  // Named as the one mapping will answer it (a body that does not decode is "invalid", …); the
  // labels are the ones docs/observability.md lists.
  const error = toDomainError(raw);
  if (error instanceof InvalidSignature) return error.reason;
  if (error instanceof NotFound) return "unknown_source";
  if (error instanceof BodyTooLarge) return "too_large";
  if (error instanceof UnsupportedContentType || error instanceof UnsupportedContentEncoding)
    return "unsupported_content_type";
  if (error instanceof InvalidRequest) return "invalid";
  if (error instanceof RateLimited) return "rate_limited";
  if (error instanceof BrokerUnavailable) return "broker_unavailable";
  return "error";
}
