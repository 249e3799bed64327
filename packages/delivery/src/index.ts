/**
 * @hookrail/delivery — the notifier's delivery logic: when to retry (schedule, jitter,
 * Retry-After), what an answer means (classification), where a webhook may go (the SSRF guard,
 * checked at connect time against DNS rebinding), and sending one signed Standard Webhooks
 * attempt over node:http / node:https. No Hookrail infrastructure: only node: built-ins and
 * @hookrail/signatures.
 */
export { type AddressCheck, type AddressGuard, createAddressGuard } from "./address-guard.js";
export { type Cidr, parseCidrs } from "./cidr.js";
export {
  CircuitBreakers,
  type CircuitDecision,
  type CircuitSettings,
  DEFAULT_CIRCUIT,
} from "./circuit-breaker.js";
export { type AttemptOutcome, type Classification, classifyResponse } from "./classify.js";
export {
  type AttemptResult,
  createDispatcher,
  type DeliveryRequest,
  type Dispatcher,
  type DispatcherOptions,
  type DispatchRequest,
  deliverWebhook,
} from "./dispatch.js";
export { allowedCidrsEnv } from "./env.js";
export { ADDRESS_BLOCKED, AddressBlockedError, guardedLookup } from "./guarded-lookup.js";
export { checkExtraHeaders, USER_AGENT } from "./headers.js";
export { KeyedLimiter } from "./limiter.js";
export {
  DEFAULT_RETRY_SCHEDULE,
  nextAttemptDelay,
  parseRetrySchedule,
  retryAfterDelay,
} from "./retry-schedule.js";
export { checkUrl } from "./url-check.js";
