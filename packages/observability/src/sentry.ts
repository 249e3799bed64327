import type * as SentryModule from "@sentry/node";
import type { ErrorEvent } from "@sentry/node";

let sentry: typeof SentryModule | undefined;

const DROPPED_INTEGRATIONS = new Set([
  "OnUncaughtException",
  "OnUnhandledRejection",
  "Pino",
  "Console",
  // Its own capture of express errors (any status >= 500) comes first, without our requestId
  // tag, and Dedupe then drops the report of problemHandler: that one is the report we want.
  "Express",
]);

/**
 * Starts Sentry for errors only, linked to our own OpenTelemetry SDK: no Sentry tracing
 * (tracesSampleRate unset, no OTel setup of its own, so there is one global registration and
 * the events carry our trace ids), and nothing from requests collected: webhook bodies,
 * signatures, secrets and Authorization headers never leave the process.
 */
export async function initSentry(options: {
  dsn: string;
  release: string;
  environment: string;
  service: string;
}): Promise<void> {
  const Sentry = await import("@sentry/node");
  Sentry.init({
    dsn: options.dsn,
    release: options.release,
    environment: options.environment,
    initialScope: { tags: { service: options.service } },
    // Our own handlers report, flush and exit (see telemetry.ts); Sentry's would race them.
    // Log and console capture could carry payloads into breadcrumbs: off too.
    integrations: (defaults) => [
      ...defaults.filter((i) => !DROPPED_INTEGRATIONS.has(i.name)),
      Sentry.openTelemetryIntegration(),
    ],
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
    },
    beforeSend: scrub,
    beforeBreadcrumb: () => null,
  });
  sentry = Sentry;
}

/** Belt and braces: whatever an integration attached about the request goes. */
export function scrub(event: ErrorEvent): ErrorEvent {
  if (event.request) {
    delete event.request.data;
    delete event.request.cookies;
    delete event.request.query_string;
    event.request.headers = {};
  }
  delete event.extra;
  return event;
}

/** Reports an error with the request id as a tag, in the active trace. A no-op without a DSN. */
export function reportError(
  error: unknown,
  context: { requestId?: string; tags?: Record<string, string> } = {},
): void {
  if (!sentry) return;
  const s = sentry;
  s.withScope((scope) => {
    if (context.requestId) scope.setTag("requestId", context.requestId);
    for (const [k, v] of Object.entries(context.tags ?? {})) scope.setTag(k, v);
    s.captureException(error);
  });
}

/** Sends what is queued; resolves false if it could not within `timeoutMs`. */
export async function flushErrors(timeoutMs = 2000): Promise<boolean> {
  return sentry ? sentry.flush(timeoutMs) : true;
}
