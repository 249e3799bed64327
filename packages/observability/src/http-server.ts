import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { METRIC_HTTP_SERVER_REQUEST_DURATION } from "@opentelemetry/semantic-conventions";
import { LINKED_ROOT } from "./linked-context.js";
import { startSpan } from "./new-trace.js";
import { talliedMetrics } from "./tallied-histogram.js";

const SCOPE = "@hookrail/observability/http-server";

// The SERVER span and the http.server.request.duration histogram of a service's express API,
// made here rather than by @opentelemetry/instrumentation-http (which still instruments outgoing
// requests) and @opentelemetry/instrumentation-express. Why: the first computes every attribute
// of the span and parses the URL before the sampler decides, and the second wraps every
// middleware of every request to learn the route, so a webhook whose trace is not kept paid for
// all of it, most of what telemetry cost the gateway (docs/performance.md). Here an unsampled
// request costs a span context and one histogram record (a tallied one: see tallied-histogram.ts);
// the route is read once, from express, when the response is done; other attributes only for
// spans that are recorded. Names, attributes and buckets follow the stable HTTP semantic
// conventions, as the instrumentations' do, so dashboards and alerts read the same.

const METHODS = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "TRACE",
]);

const SERVER = { kind: SpanKind.SERVER };

const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * Wraps an HTTP request listener (an express app) so that each request runs in its own SERVER
 * span, continuing an incoming `traceparent`, named and labelled by the express route it
 * matched. Pass only the API's listener: ops endpoints (/metrics, /healthz) are not traced.
 */
export function traceRequests(listener: RequestListener): RequestListener {
  const tracer = trace.getTracer(SCOPE);
  const duration = talliedMetrics.histogram(SCOPE, {
    name: METRIC_HTTP_SERVER_REQUEST_DURATION,
    description: "Duration of HTTP server requests.",
    unit: "s",
    boundaries: DURATION_BUCKETS,
  });
  return function tracedRequest(req: IncomingMessage, res: ServerResponse) {
    const startedAt = performance.now();
    const method = normalMethod(req.method);
    // A linked context: the span and the request id's baggage are set on it without copying.
    const parent = propagation.extract(LINKED_ROOT, req.headers);
    // No attributes for the sampler: computing them is what an unsampled request should not pay.
    const span = startSpan(tracer, method, SERVER, parent);
    if (span.isRecording()) span.setAttributes(requestAttributes(req, method));
    const active = trace.setSpan(parent, span);
    // The request is not bound to the context (as the http instrumentation binds it): body
    // chunks arrive from the socket, outside this call, but express's body parsers (raw-body)
    // run their callback in the async scope they were called from, so everything after the body
    // keeps the request's context; only a bare 'data' listener would not, and none traces.
    // Binding cost a closure and a changed object shape per request.
    res.once("close", () => {
      const seconds = (performance.now() - startedAt) / 1000;
      const route = expressRoute(req);
      const attributes = () => responseAttributes(req, res, method, route);
      if (span.isRecording()) endSpan(span, res, attributes(), route);
      else span.end();
      // The histogram's attributes are made once per series, not per request.
      duration.record(seconds, seriesKey(req, res, method, route), attributes);
    });
    context.with(active, listener, undefined, req, res);
  };
}

/**
 * The route template express matched (`/api/v1/webhooks/:sourceId`), never the path itself, so
 * that labels stay few; none when no route matched (a 404 of an unknown path).
 */
export function expressRoute(req: IncomingMessage): string | undefined {
  const { route, baseUrl } = req as IncomingMessage & {
    route?: { path?: unknown };
    baseUrl?: string;
  };
  return typeof route?.path === "string" ? `${baseUrl ?? ""}${route.path}` : undefined;
}

/** The histogram's attributes, which the span also gets. */
function responseAttributes(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  route: string | undefined,
): Attributes {
  const attributes: Attributes = {
    "http.request.method": method,
    "url.scheme": "http",
    "network.protocol.version": req.httpVersion,
    "http.response.status_code": res.statusCode,
  };
  if (route) attributes["http.route"] = route;
  if (!res.writableFinished) attributes["error.type"] = "aborted";
  else if (res.statusCode >= 500) attributes["error.type"] = String(res.statusCode);
  return attributes;
}

/** Names the histogram series of `responseAttributes`, from the same values, without making them. */
function seriesKey(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  route: string | undefined,
): string {
  const error = res.writableFinished ? "" : "aborted";
  return `${method} ${route ?? ""} ${res.statusCode} ${req.httpVersion} ${error}`;
}

function endSpan(span: Span, res: ServerResponse, attributes: Attributes, route?: string) {
  span.setAttributes(attributes);
  if (route) span.updateName(`${attributes["http.request.method"]} ${route}`);
  if (!res.writableFinished)
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: "the connection closed before the response was sent",
    });
  else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** What a recorded span says of the request (never the query string: it may carry tokens). */
function requestAttributes(req: IncomingMessage, method: string): Attributes {
  const url = req.url ?? "/";
  const query = url.indexOf("?");
  const { host, port } = hostAndPort(req.headers.host);
  const attributes: Attributes = {
    "http.request.method": method,
    "url.scheme": "http",
    "url.path": query === -1 ? url : url.slice(0, query),
    "network.protocol.version": req.httpVersion,
    "network.peer.address": req.socket.remoteAddress,
    "network.peer.port": req.socket.remotePort,
    "client.address": req.socket.remoteAddress,
    "user_agent.original": req.headers["user-agent"],
  };
  if (host) attributes["server.address"] = host;
  if (port) attributes["server.port"] = port;
  if (req.method !== method) attributes["http.request.method_original"] = req.method;
  return attributes;
}

/** The semantic conventions' method: a known one, else `_OTHER`. */
export function normalMethod(method: string | undefined): string {
  const upper = (method ?? "GET").toUpperCase();
  return METHODS.has(upper) ? upper : "_OTHER";
}

/** The Host header split into host and port (`[::1]:8080`, `example.com`, `10.0.0.1:80`). */
export function hostAndPort(header: string | undefined): { host?: string; port?: number } {
  if (!header) return {};
  const bracketed = header.startsWith("[");
  const hostEnd = bracketed ? header.indexOf("]") + 1 : header.indexOf(":");
  if (bracketed && hostEnd === 0) return {};
  const host = bracketed
    ? header.slice(1, hostEnd - 1)
    : header.slice(0, hostEnd === -1 ? undefined : hostEnd);
  const rest = hostEnd === -1 ? "" : header.slice(hostEnd);
  if (rest === "") return host ? { host } : {};
  const port = rest.startsWith(":") ? Number(rest.slice(1)) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535 || rest.length > 6) return {};
  return host ? { host, port } : {};
}
