import type { HmacOptions, ProviderName } from "@hookrail/contracts";

/** Request headers as Node gives them (`req.headers`): lowercase names, repeated ones as arrays. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** Why a webhook was refused. Each maps to one HTTP answer at the gateway. */
export type VerifyFailureCode =
  | "missing_signature"
  | "bad_signature"
  | "stale_timestamp"
  | "missing_delivery_id"
  | "malformed_payload";

/** A refusal, as a value: a webhook that fails verification is expected, not exceptional. */
export type VerifyFailure = { ok: false; error: { code: VerifyFailureCode; message: string } };

/**
 * The outcome of a verification. On success, `deliveryId` is the provider's id of this delivery
 * (the deduplication key) and `eventType` its event type; both are only read after the signature
 * has been checked, so nothing unauthenticated reaches them.
 */
export type VerifyResult = { ok: true; deliveryId: string; eventType: string } | VerifyFailure;

/** One inbound webhook to check, exactly as received. */
export interface VerifyInput {
  provider: ProviderName;
  headers: HeaderBag;
  /** The raw bytes, never re-serialised: a signature covers bytes, not JSON values. */
  body: Buffer;
  /** One secret, or two during a rotation; a signature made with any of them is accepted. */
  secrets: readonly string[];
  /** The current time, injected so tests are exact. */
  now: Date;
  /** Settings of the `hmac-sha256` provider; its defaults apply when absent. */
  options?: HmacOptions;
  /** How far a signed timestamp may be from `now`, either way. Default 300. */
  toleranceSeconds?: number;
}

/** What a provider's verifier receives: the input with its defaults applied. */
export interface VerifierInput {
  headers: HeaderBag;
  body: Buffer;
  secrets: readonly string[];
  now: Date;
  options: HmacOptions;
  toleranceSeconds: number;
}

/** Builds a refusal. */
export function fail(code: VerifyFailureCode, message: string): VerifyFailure {
  return { ok: false, error: { code, message } };
}

/** Builds an acceptance. */
export function accept(deliveryId: string, eventType: string): VerifyResult {
  return { ok: true, deliveryId, eventType };
}
