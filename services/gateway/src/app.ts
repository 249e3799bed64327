import { notFoundHandler, problemHandler, requestId, UnsupportedContentType } from "@hookrail/http";
import { reportError } from "@hookrail/observability";
import { FailureThrottle } from "@hookrail/rate-limit";
import express, { type Express, type RequestHandler } from "express";
import helmet from "helmet";
import { apiKeyRoutes } from "./admin/api-keys.js";
import { authenticator, scopeGuard } from "./admin/auth.js";
import { deadLetterRoutes } from "./admin/dead-letters.js";
import { eventRoutes } from "./admin/events.js";
import { lifecycleRoutes } from "./admin/lifecycle.js";
import { replayRoutes } from "./admin/replays.js";
import { sourceRoutes } from "./admin/sources.js";
import { subscriptionRoutes } from "./admin/subscriptions.js";
import type { GatewayDeps } from "./deps.js";
import { ingestRoutes } from "./ingest/routes.js";
import { openApiDocument } from "./openapi.js";

/**
 * Admin bodies are small JSON documents; anything else is refused before it is read. Runs after
 * the scope guard has authorised the caller, so an anonymous request is never parsed.
 */
const parseJson = express.json({ limit: "64kb", strict: true });
const adminJson: RequestHandler = (req, res, next) => {
  if (
    req.method === "POST" &&
    req.headers["content-length"] !== "0" &&
    !req.is("application/json")
  ) {
    return next(new UnsupportedContentType(req.get("content-type"), "application/json"));
  }
  parseJson(req, res, next);
};

/** The gateway's HTTP application: ingest, admin API, and the one error mapping last. */
export function createApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // Security headers on every answer. An API serves no HTML, so the strictest policy fits.
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    }),
  );
  // Off unless TRUST_PROXY names the proxies: then req.ip is the forwarded client address (F-14).
  app.set("trust proxy", deps.config.TRUST_PROXY);
  app.use(requestId());
  app.use(ingestRoutes(deps));
  const document = openApiDocument();
  app.get("/api/v1/openapi.json", (_req, res) => {
    res.json(document);
  });
  const guard = scopeGuard(
    authenticator(deps.db, deps.config.ADMIN_API_KEY, deps.now),
    {
      rateLimiter: deps.rateLimiter,
      perKeyPerSecond: deps.config.RATE_LIMIT_API_KEY_PER_SECOND,
      authFailures: new FailureThrottle(deps.config.AUTH_FAILURES_PER_MINUTE),
    },
    adminJson,
  );
  app.use(sourceRoutes(deps, guard));
  app.use(subscriptionRoutes(deps, guard));
  app.use(eventRoutes(deps, guard));
  app.use(apiKeyRoutes(deps, guard));
  app.use(lifecycleRoutes(deps, guard));
  app.use(deadLetterRoutes(deps, guard));
  app.use(replayRoutes(deps, guard));
  app.use(notFoundHandler());
  app.use(
    problemHandler({
      logger: deps.logger,
      retryAfterSeconds: deps.config.RETRY_AFTER_SECONDS,
      report: (error, requestId) => reportError(error, { requestId }),
    }),
  );
  return app;
}
