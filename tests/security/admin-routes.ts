import { createApp } from "../../services/gateway/src/app.js";
import type { GatewayDeps } from "../../services/gateway/src/deps.js";

/** The admin API's scopes (services/gateway/src/admin/scopes.ts). */
export type Scope =
  | "sources:read"
  | "sources:write"
  | "subscriptions:read"
  | "subscriptions:write"
  | "events:read"
  | "events:replay"
  | "dead-letters:read"
  | "dead-letters:write"
  | "api-keys:write";

export const SCOPES: readonly Scope[] = [
  "sources:read",
  "sources:write",
  "subscriptions:read",
  "subscriptions:write",
  "events:read",
  "events:replay",
  "dead-letters:read",
  "dead-letters:write",
  "api-keys:write",
];

export interface AdminRoute {
  method: "GET" | "POST" | "DELETE";
  /** Express form, `:id` for a path parameter. */
  path: string;
  /** The scope the route must demand: the authorization matrix proves it does. */
  scope: Scope;
}

/**
 * Every admin route and the scope it needs, written down independently of the code: the
 * authorization test fails when the app or the OpenAPI document has a route this table lacks,
 * or when a route answers to a different scope than the one listed here.
 */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: "POST", path: "/api/v1/sources", scope: "sources:write" },
  { method: "GET", path: "/api/v1/sources", scope: "sources:read" },
  { method: "POST", path: "/api/v1/sources/:id/rotate-secret", scope: "sources:write" },
  { method: "POST", path: "/api/v1/subscriptions", scope: "subscriptions:write" },
  { method: "GET", path: "/api/v1/subscriptions", scope: "subscriptions:read" },
  { method: "POST", path: "/api/v1/subscriptions/:id/pause", scope: "subscriptions:write" },
  { method: "POST", path: "/api/v1/subscriptions/:id/resume", scope: "subscriptions:write" },
  { method: "POST", path: "/api/v1/subscriptions/:id/rotate-secret", scope: "subscriptions:write" },
  { method: "GET", path: "/api/v1/events", scope: "events:read" },
  { method: "GET", path: "/api/v1/events/:id", scope: "events:read" },
  { method: "POST", path: "/api/v1/events/:id/replay", scope: "events:replay" },
  { method: "POST", path: "/api/v1/replays", scope: "events:replay" },
  { method: "GET", path: "/api/v1/replays/:id", scope: "events:replay" },
  { method: "GET", path: "/api/v1/dead-letters", scope: "dead-letters:read" },
  { method: "POST", path: "/api/v1/dead-letters/:id/retry", scope: "dead-letters:write" },
  { method: "POST", path: "/api/v1/api-keys", scope: "api-keys:write" },
  { method: "GET", path: "/api/v1/api-keys", scope: "api-keys:write" },
  { method: "DELETE", path: "/api/v1/api-keys/:id", scope: "api-keys:write" },
];

/** Routes that answer without a key, on purpose: ingest (signed instead) and the API document. */
export const PUBLIC_ROUTES = [
  "POST /api/v1/webhooks/:sourceId",
  "POST /webhooks/:sourceId",
  "GET /api/v1/openapi.json",
];

export const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * The routes the gateway's Express app really registers, read from its router after building it
 * with inert dependencies (building touches neither the database nor the broker).
 */
export function registeredRoutes(): string[] {
  const noop = () => undefined;
  const logger = { info: noop, warn: noop, error: noop, debug: noop, trace: noop, fatal: noop };
  const deps = {
    config: {
      ADMIN_API_KEY: "x".repeat(32),
      RATE_LIMIT_API_KEY_PER_SECOND: 0,
      RATE_LIMIT_SOURCE_PER_SECOND: 0,
      AUTH_FAILURES_PER_MINUTE: 10,
      DELIVERY_ALLOWED_CIDRS: [],
      RETRY_AFTER_SECONDS: 5,
    },
    logger,
    db: {},
    publisher: {},
    topology: {},
    maxBodyBytes: 1024,
    secrets: {},
    rateLimiter: {},
    now: () => new Date(),
  } as unknown as GatewayDeps;
  const app = createApp(deps) as unknown as { router: { stack: Layer[] } };
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          out.push(`${method.toUpperCase()} ${layer.route.path}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk(app.router.stack);
  return out;
}

/** `/api/v1/events/{id}` (OpenAPI) → `/api/v1/events/:id` (Express). */
export const fromOpenApiPath = (path: string) => path.replace(/\{([^}]+)\}/g, ":$1");
