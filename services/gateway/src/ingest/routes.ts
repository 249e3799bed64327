import { UnsupportedContentType } from "@hookrail/http";
import { webhooksReceived } from "@hookrail/observability";
import express, {
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  Router,
} from "express";
import type { GatewayDeps } from "../deps.js";
import { ingestWebhook, isSourceId } from "./ingest-webhook.js";
import { rejectionOutcome } from "./outcome.js";
import { SourceCache } from "./source-cache.js";

// eslint-disable-next-line security/detect-unsafe-regex -- linear on the header value (at most 16 KiB); tests/security/regex-safety.test.ts
const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/** Only JSON is accepted: every supported provider sends JSON. Checked before the body is read. */
const requireJson: RequestHandler = (req, _res, next) => {
  const type = req.get("content-type");
  if (!type || !JSON_TYPE.test(type))
    return next(new UnsupportedContentType(type, "application/json"));
  next();
};

// RFC 9745: the alias has been deprecated since this date (2026-11-29).
const DEPRECATED_SINCE = `@${Date.UTC(2026, 10, 29) / 1000}`;

/** POST /api/v1/webhooks/:sourceId, and its deprecated unversioned alias. */
export function ingestRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const sources = new SourceCache(deps.db, deps.secrets);
  // Raw bytes, never parsed-and-re-serialised: signatures are computed over exactly these.
  const rawBody = express.raw({ type: () => true, limit: deps.maxBodyBytes });
  const handle: RequestHandler = async (req, res) => {
    const accepted = await ingestWebhook(deps, sources, req);
    count(req, accepted.duplicate ? "duplicate" : "accepted");
    deps.logger.info(
      { webhookId: accepted.id, sourceId: req.params.sourceId, duplicate: accepted.duplicate },
      "webhook accepted",
    );
    res.status(202).json({ id: accepted.id, requestId: accepted.requestId });
  };
  // Every refusal is counted by reason, then answered by the one error mapping.
  const countRejection: ErrorRequestHandler = (error, req, _res, next) => {
    count(req, rejectionOutcome(error));
    next(error);
  };
  router.post("/api/v1/webhooks/:sourceId", requireJson, rawBody, handle, countRejection);
  const deprecated: RequestHandler = (req, res, next) => {
    res.setHeader("Deprecation", DEPRECATED_SINCE);
    // The successor is built from a well-formed source id only (URL-safe, at most 64 characters):
    // echoing any path into a header let one request make the answer's headers unreadably large
    // (F-08). An id of another form names no source; its 404 carries no Link.
    const sourceId = String(req.params.sourceId);
    if (isSourceId(sourceId))
      res.setHeader("Link", `</api/v1/webhooks/${sourceId}>; rel="successor-version"`);
    next();
  };
  router.post("/webhooks/:sourceId", deprecated, requireJson, rawBody, handle, countRejection);
  return router;
}

/** Source ids are only labels once they are known to be sane; anything else is "invalid". */
function count(req: Request, outcome: string): void {
  const source = String(req.params.sourceId ?? "");
  webhooksReceived().add(1, {
    source: isSourceId(source) ? source : "invalid",
    outcome,
  });
}
