import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { signAs } from "@hookrail/signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_ROUTES,
  fromOpenApiPath,
  PUBLIC_ROUTES,
  registeredRoutes,
  routeKey,
} from "../security/admin-routes.js";
import { type ApiResponse, apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { eventually } from "../support/subscriber.js";
import { conformance, type OpenApi, operations } from "./conformance.js";

// The contract of API v1: the gateway serves the committed document (docs/api/openapi.v1.json),
// every operation in it is served, every route the gateway serves is in it with the scope it
// demands, and real answers — successes and refusals — have the statuses and shapes it documents.

const COMMITTED: OpenApi = JSON.parse(
  readFileSync(new URL("../../docs/api/openapi.v1.json", import.meta.url), "utf8"),
);

let cluster: Cluster;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  cluster = await startCluster({ services: ["gateway", "processor"] });
  api = apiClient(cluster.gatewayUrl, cluster.adminKey);
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
});

/** A request to each operation's path, with each `{param}` filled in. */
const fill = (path: string, value = "src_contract_none") => path.replace(/\{[^}]+\}/g, value);

describe("the OpenAPI document of v1", () => {
  it("is served at /api/v1/openapi.json exactly as committed (pnpm openapi:write)", async () => {
    const res = await api.get("/api/v1/openapi.json", null);
    expect(res.status).toBe(200);
    expect(res.body, "regenerate with `pnpm openapi:write`").toEqual(COMMITTED);
  });

  it("documents every route the gateway registers, and no other", () => {
    const documented = operations(COMMITTED).map((o) => `${o.method} ${fromOpenApiPath(o.path)}`);
    expect(new Set(documented)).toEqual(new Set(registeredRoutes()));
    expect(documented).toHaveLength(registeredRoutes().length);
    expect(new Set(documented)).toEqual(new Set([...ADMIN_ROUTES.map(routeKey), ...PUBLIC_ROUTES]));
  });

  it("names, for each admin route, the scope the route demands (tests/security/admin-routes.ts)", () => {
    const scopes = Object.fromEntries(
      operations(COMMITTED).map((o) => [`${o.method} ${fromOpenApiPath(o.path)}`, o.op.security]),
    );
    for (const route of ADMIN_ROUTES)
      expect(scopes[routeKey(route)], routeKey(route)).toEqual([{ apiKey: [route.scope] }]);
    for (const route of PUBLIC_ROUTES) expect(scopes[route], route).toBeUndefined();
  });

  it("marks the unversioned alias, and only it, deprecated", () => {
    const deprecated = operations(COMMITTED).filter(
      (o) => (o.op as { deprecated?: boolean }).deprecated,
    );
    expect(deprecated.map((o) => `${o.method} ${o.path}`)).toEqual(["POST /webhooks/{sourceId}"]);
  });

  it("serves every operation it documents: admin ones answer 401 problem+json without a key", async () => {
    const check = conformance(COMMITTED);
    const failures: string[] = [];
    for (const { method, path, op } of operations(COMMITTED)) {
      const res = await api.call(method, fill(path), {
        key: null,
        ...(method === "POST" ? { json: {} } : {}),
      });
      failures.push(...check(method, path, res));
      const detail = String((res.body as { detail?: string } | undefined)?.detail ?? "");
      if (detail.startsWith("no route for")) failures.push(`${method} ${path}: not served`);
      if (op.security && res.status !== 401)
        failures.push(`${method} ${path}: ${res.status}, not 401`);
    }
    expect(failures).toEqual([]);
  });
});

describe("the conformance check", () => {
  const answer = (status: number, body: unknown, type = "application/json") => ({
    status,
    headers: new Headers({ "content-type": type, "x-request-id": "r" }),
    body,
    text: JSON.stringify(body),
  });

  it("can fail: a wrong shape, an undocumented status, a wrong content type, an unknown path", () => {
    const check = conformance(COMMITTED);
    expect(check("GET", "/api/v1/sources", answer(200, { data: [] }))).toEqual([]);
    const wrong = check("GET", "/api/v1/sources", answer(200, { data: [{ id: 1 }] }));
    expect(wrong.join()).toContain("body does not match");
    expect(check("GET", "/api/v1/sources", answer(418, {})).join()).toContain("not documented");
    expect(check("GET", "/api/v1/sources", answer(200, {}, "text/html")).join()).toContain(
      "content type",
    );
    expect(check("GET", "/api/v1/nope", answer(200, {})).join()).toContain("not in the document");
    const noRetryAfter = check("POST", "/api/v1/webhooks/{sourceId}", {
      ...answer(
        503,
        { type: "t", title: "t", status: 503, detail: "d" },
        "application/problem+json",
      ),
    });
    expect(noRetryAfter.join()).toContain("Retry-After");
  });
});

describe("answers as documented", () => {
  const failures: string[] = [];
  const seen = new Map<string, Set<number>>();
  let check: ReturnType<typeof conformance>;

  /** Calls `method path` (a document path, params filled from `params`) and checks the answer. */
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    init: Parameters<typeof api.call>[2] & { params?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const { params = {}, ...rest } = init;
    const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => params[name] ?? "x");
    const res = await api.call<T>(method, url, rest);
    failures.push(...check(method, path, res as ApiResponse<unknown>));
    const key = `${method} ${path}`;
    seen.set(key, (seen.get(key) ?? new Set()).add(res.status));
    return res;
  }
  const json = (value: unknown) => ({ json: value });

  beforeAll(() => {
    check = conformance(COMMITTED);
  });

  it("for sources, subscriptions, webhooks, events, replays, dead letters and API keys", async () => {
    const source = await call<{ id: string }>(
      "POST",
      "/api/v1/sources",
      json({ name: "contract", provider: "github" }),
    );
    expect(source.status, source.text).toBe(201);
    const id = { id: source.body.id };
    await call(
      "POST",
      "/api/v1/sources",
      json({ name: "chosen", provider: "stripe", id: "src_contract" }),
    );
    expect(
      (
        await call(
          "POST",
          "/api/v1/sources",
          json({ name: "again", provider: "stripe", id: "src_contract" }),
        )
      ).status,
    ).toBe(409);
    expect(
      (await call("POST", "/api/v1/sources", json({ name: "", provider: "nope" }))).status,
    ).toBe(400);
    const notJson = await call("POST", "/api/v1/sources", {
      body: "name=x",
      headers: { "content-type": "text/plain" },
    });
    expect(notJson.status).toBe(415);
    await call("GET", "/api/v1/sources");
    const rotated = await call<{ secret: string }>("POST", "/api/v1/sources/{id}/rotate-secret", {
      params: id,
      ...json({ overlapSeconds: 0 }),
    });
    expect(rotated.status, rotated.text).toBe(200);
    await call("POST", "/api/v1/sources/{id}/rotate-secret", {
      params: { id: "src_nope" },
      ...json({}),
    });

    const sub = await call<{ id: string }>(
      "POST",
      "/api/v1/subscriptions",
      json({ url: "http://127.0.0.1:9/contract", eventTypes: ["*"] }),
    );
    expect(sub.status, sub.text).toBe(201);
    const subId = { id: sub.body.id };
    await call("POST", "/api/v1/subscriptions", json({ url: "ftp://x", eventTypes: [] }));
    await call("GET", "/api/v1/subscriptions");
    await call("POST", "/api/v1/subscriptions/{id}/pause", { params: subId });
    await call("POST", "/api/v1/subscriptions/{id}/resume", { params: subId });
    await call("POST", "/api/v1/subscriptions/{id}/pause", { params: { id: "sub_nope" } });
    await call("POST", "/api/v1/subscriptions/{id}/rotate-secret", {
      params: subId,
      ...json({ overlapSeconds: 60 }),
    });

    const body = '{"contract":true}';
    const headers = signAs("github", {
      body,
      secret: rotated.body.secret,
      now: new Date(),
      eventType: "push",
    });
    const ingest = "/api/v1/webhooks/{sourceId}";
    const sent = await call<{ id: string }>("POST", ingest, {
      params: { sourceId: id.id },
      body,
      headers,
      key: null,
    });
    expect(sent.status, sent.text).toBe(202);
    await call("POST", "/webhooks/{sourceId}", {
      params: { sourceId: id.id },
      body,
      headers,
      key: null,
    });
    await call("POST", ingest, {
      params: { sourceId: id.id },
      body: `${body} `,
      headers,
      key: null,
    });
    await call("POST", ingest, { params: { sourceId: "src_nope" }, body, headers, key: null });
    await call("POST", ingest, {
      params: { sourceId: id.id },
      body,
      headers: { ...headers, "content-type": "text/plain" },
      key: null,
    });

    const webhook = { id: sent.body.id };
    await eventually(
      async () => (await api.get(`/api/v1/events/${webhook.id}`)).status === 200,
      "the webhook is stored",
    );
    expect((await call("GET", "/api/v1/events/{id}", { params: webhook })).status).toBe(200);
    await call("GET", "/api/v1/events/{id}", { params: { id: randomUUID() } });
    await call("GET", `/api/v1/events`);
    const page = await api.get("/api/v1/events?status=nope");
    failures.push(...check("GET", "/api/v1/events", page));
    expect(page.status).toBe(400);
    await call("POST", "/api/v1/events/{id}/replay", { params: webhook });
    await call("POST", "/api/v1/events/{id}/replay", { params: { id: randomUUID() } });

    expect((await call("POST", "/api/v1/replays", json({ dryRun: true }))).status).toBe(200);
    const job = await call<{ id: string }>(
      "POST",
      "/api/v1/replays",
      json({ sourceId: id.id, ratePerSecond: 100 }),
    );
    expect(job.status, job.text).toBe(202);
    await call("GET", "/api/v1/replays/{id}", { params: { id: job.body.id } });
    await call("GET", "/api/v1/replays/{id}", { params: { id: randomUUID() } });
    await call("POST", "/api/v1/replays", json({ subscriptionId: "sub_nope" }));

    await call("GET", "/api/v1/dead-letters");
    const pipeline = await api.get("/api/v1/dead-letters?kind=pipeline");
    failures.push(...check("GET", "/api/v1/dead-letters", pipeline));
    await call("POST", "/api/v1/dead-letters/{id}/retry", { params: { id: randomUUID() } });

    const key = await call<{ id: string; key: string }>(
      "POST",
      "/api/v1/api-keys",
      json({ name: "contract", scopes: ["events:read"] }),
    );
    expect(key.status, key.text).toBe(201);
    await call("GET", "/api/v1/api-keys");
    await call("GET", "/api/v1/sources", { key: key.body.key });
    await call("DELETE", "/api/v1/api-keys/{id}", { params: { id: key.body.id } });
    await call("DELETE", "/api/v1/api-keys/{id}", { params: { id: "key_nope" } });

    const exercised = [...seen].map(([op, statuses]) => `${op} ${[...statuses].sort().join(",")}`);
    console.log(
      `openapi contract: ${exercised.length} operations answered as documented:\n${exercised.join("\n")}`,
    );
    expect(failures).toEqual([]);
    expect(seen.size).toBe(operations(COMMITTED).length - 1); // all but the document itself
  }, 120_000);
});
