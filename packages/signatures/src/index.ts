/**
 * @hookrail/signatures — checks that inbound webhooks were signed by their provider (GitHub,
 * Stripe, Standard Webhooks, generic HMAC-SHA256) and signs outbound ones the Standard Webhooks
 * way. Pure functions over raw bytes and an injected clock; only node:crypto underneath.
 */
export { timingSafeEqualBytes } from "./crypto.js";
export { MAX_HEADER_BYTES } from "./headers.js";
export type {
  HeaderBag,
  VerifyFailure,
  VerifyFailureCode,
  VerifyInput,
  VerifyResult,
} from "./result.js";
export { generateSigningSecret, type StandardWebhookHeaders, signStandardWebhook } from "./sign.js";
export { type SignAsInput, signAs } from "./sign-as.js";
export { BODY_SIGNING_PROVIDERS, DEFAULT_TOLERANCE_SECONDS, verifyWebhook } from "./verify.js";
