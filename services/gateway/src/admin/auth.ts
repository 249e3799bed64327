import { createHash, timingSafeEqual } from "node:crypto";
import { type Database, findApiKeyByHash } from "@hookrail/event-store";
import { Forbidden, RateLimited, Unauthenticated } from "@hookrail/http";
import type { FailureThrottle, RateLimiter } from "@hookrail/rate-limit";
import type { RequestHandler } from "express";
import type { Kysely } from "kysely";
import { SCOPES, type Scope } from "./scopes.js";

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

export interface Principal {
  keyId: string;
  scopes: ReadonlySet<string>;
}

/**
 * Resolves `Authorization: Bearer <key>` to a principal. Keys are looked up by their SHA-256
 * (stored hashed); the bootstrap key is compared by hash too, in constant time.
 */
export function authenticator(
  db: Kysely<Database>,
  bootstrapKey: string | undefined,
  now: () => Date = () => new Date(),
) {
  const bootstrapHash = bootstrapKey ? Buffer.from(hashApiKey(bootstrapKey), "hex") : undefined;
  return async (authorization: string | undefined): Promise<Principal> => {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,256})$/.exec(authorization ?? "");
    if (!match?.[1]) throw new Unauthenticated();
    const hash = hashApiKey(match[1]);
    if (bootstrapHash && timingSafeEqual(bootstrapHash, Buffer.from(hash, "hex"))) {
      return { keyId: "bootstrap", scopes: new Set(SCOPES) };
    }
    const row = await findApiKeyByHash(db, hash);
    // One message for unknown, revoked and expired keys: a caller learns nothing about which.
    if (!row || row.revoked_at || (row.expires_at && row.expires_at.getTime() <= now().getTime())) {
      throw new Unauthenticated("the API key is not valid");
    }
    return { keyId: row.id, scopes: new Set(row.scopes) };
  };
}

/** What guards the admin API besides the keys themselves. */
export interface GuardLimits {
  rateLimiter: RateLimiter;
  perKeyPerSecond: number;
  authFailures: FailureThrottle;
}

/**
 * Middleware: the request needs a valid key holding `scope`; 401 without one, 403 without the
 * scope, 429 past the key's rate. The key is checked first: a valid key gets through even while
 * its client address is throttled, so a flood of bad keys cannot lock operators out (F-14); a
 * failure from a throttled address answers 429 with Retry-After instead of 401, and still
 * counts. The address is `req.ip`: the TCP peer, or the forwarded client behind TRUST_PROXY.
 */
export function requireScope(
  authenticate: ReturnType<typeof authenticator>,
  limits: GuardLimits,
  scope: Scope,
  then: RequestHandler = (_req, _res, next) => next(),
): RequestHandler {
  return async (req, res, next) => {
    let principal: Principal;
    try {
      principal = await authenticate(req.get("authorization"));
    } catch (error) {
      if (!(error instanceof Unauthenticated)) throw error;
      const client = req.ip ?? req.socket.remoteAddress ?? "unknown";
      const blocked = limits.authFailures.blockedFor(client);
      limits.authFailures.recordFailure(client);
      throw blocked === undefined ? error : new RateLimited(blocked);
    }
    if (!principal.scopes.has(scope)) throw new Forbidden(`this API key lacks the scope ${scope}`);
    const rate = await limits.rateLimiter.take(`apikey:${principal.keyId}`, limits.perKeyPerSecond);
    if (!rate.allowed) throw new RateLimited(rate.retryAfterSeconds);
    res.locals.principal = principal;
    // Only now is the body read (`then` parses it): an anonymous caller costs no parsing.
    then(req, res, next);
  };
}

/** Builds the per-scope middleware used by every admin route. */
export type ScopeGuard = (scope: Scope) => RequestHandler;

/** `then` runs once the caller is authorised, e.g. the body parser. */
export function scopeGuard(
  authenticate: ReturnType<typeof authenticator>,
  limits: GuardLimits,
  then?: RequestHandler,
): ScopeGuard {
  return (scope) => requireScope(authenticate, limits, scope, then);
}
