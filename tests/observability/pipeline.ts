import { randomBytes, randomUUID } from "node:crypto";
import { signAs } from "@hookrail/signatures";
import { expect } from "vitest";
import { type ApiResponse, apiClient } from "../support/api.js";
import type { Cluster } from "../support/cluster.js";

/** Shared set-up of the observability tests: a github source, a `*` subscription, signed sends. */

export type Api = ReturnType<typeof apiClient>;

export interface Source {
  id: string;
  secret: string;
}

export interface Subscription {
  id: string;
  secret: string;
}

export async function createSource(api: Api, name = "obs source"): Promise<Source> {
  const res = await api.post<Source>("/api/v1/sources", { name, provider: "github" });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export async function createSubscription(api: Api, url: string): Promise<Subscription> {
  const res = await api.post<Subscription>("/api/v1/subscriptions", { url, eventTypes: ["*"] });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

export interface SignedWebhook {
  sourceId: string;
  body: string;
  headers: Record<string, string>;
  deliveryId: string;
  /** A unique string inside the body, for "this never left the process" checks. */
  marker: string;
}

/** A GitHub-signed webhook for `source`, whose body carries a unique marker. */
export function githubWebhook(
  source: Source,
  opts: { deliveryId?: string; secret?: string; extra?: Record<string, unknown> } = {},
): SignedWebhook {
  const marker = `obs-marker-${randomBytes(8).toString("hex")}`;
  const deliveryId = opts.deliveryId ?? randomUUID();
  const body = JSON.stringify({ action: "opened", marker, ...opts.extra });
  const headers = signAs("github", {
    body,
    secret: opts.secret ?? source.secret,
    now: new Date(),
    deliveryId,
    eventType: "pull_request",
  });
  return { sourceId: source.id, body, headers, deliveryId, marker };
}

export function sendWebhook(
  api: Api,
  w: SignedWebhook,
  headers: Record<string, string> = {},
  path = `/api/v1/webhooks/${w.sourceId}`,
): Promise<ApiResponse<{ id: string; requestId: string; detail?: string }>> {
  return api.call("POST", path, {
    body: w.body,
    headers: { ...w.headers, "content-type": "application/json", ...headers },
    key: null,
  });
}

export const adminApi = (cluster: Cluster): Api => apiClient(cluster.gatewayUrl, cluster.adminKey);

/** The JSON log lines of a service (lines that are not JSON are skipped). */
export function jsonLogs(cluster: Cluster, service: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of cluster.logs.get(service as "gateway") ?? []) {
    if (!line.startsWith("{")) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial line: skip it
    }
  }
  return out;
}

/** `00-<trace>-<span>-<flags>` → its parts; throws on anything else. */
export function parseTraceparent(value: unknown): { traceId: string; spanId: string } {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(String(value ?? ""));
  if (!m) throw new Error(`not a traceparent: ${JSON.stringify(value)}`);
  return { traceId: m[1] as string, spanId: m[2] as string };
}

/** A fresh, sampled W3C traceparent, as an upstream caller would send it. */
export function newTraceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}
