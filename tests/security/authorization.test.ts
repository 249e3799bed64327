import { randomUUID } from "node:crypto";
import { signAs } from "@hookrail/signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { eventually } from "../support/subscriber.js";
import {
  ADMIN_ROUTES,
  type AdminRoute,
  fromOpenApiPath,
  PUBLIC_ROUTES,
  registeredRoutes,
  routeKey,
  SCOPES,
  type Scope,
} from "./admin-routes.js";
import { rawClient } from "./support.js";

// The authorization matrix: every admin route × every kind of caller, each cell asserted.
//   no key, malformed key, revoked key, expired key → 401 (one indistinguishable answer)
//   a key holding every scope but the route's      → 403
//   a key holding only the route's scope           → neither 401 nor 403 (2xx, or 4xx on input)
// The route table (admin-routes.ts) is checked against the routes the app registers and against
// the OpenAPI document, so a new route cannot be added without a row here.

type Cell =
  | "no key"
  | "malformed key"
  | "revoked key"
  | "expired key"
  | "without scope"
  | "with scope";
const CELLS: readonly Cell[] = [
  "no key",
  "malformed key",
  "revoked key",
  "expired key",
  "without scope",
  "with scope",
];
// Malformed Authorization values, used in turn: wrong scheme, too short, bad characters, too long.
const MALFORMED = [
  "Basic aHI6c2VjcmV0",
  "Bearer short",
  "Bearer hr_!!!!!!!!!!!!!!!!!!!!!!!",
  `Bearer ${"a".repeat(300)}`,
  "Bearer",
  "bearer hr_aaaaaaaaaaaaaaaaaaaaaaaaa extra",
];

let cluster: Cluster;
let admin: ReturnType<typeof apiClient>;
const keys = new Map<string, string>();
const fixtures = { source: "", sourceSecret: "", subscription: "", webhook: "", replayJob: "" };

async function createKey(
  scopes: readonly Scope[],
  expiresAt?: string,
): Promise<{ id: string; key: string }> {
  const res = await admin.post<{ id: string; key: string }>("/api/v1/api-keys", {
    name: `authz ${scopes.join(" ")}`,
    scopes,
    ...(expiresAt ? { expiresAt } : {}),
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

beforeAll(async () => {
  // debug: the more the services log, the more the redaction check below has to look at.
  cluster = await startCluster({ services: ["gateway", "processor"], env: { LOG_LEVEL: "debug" } });
  admin = apiClient(cluster.gatewayUrl, cluster.adminKey);
  for (const scope of SCOPES) {
    keys.set(`with ${scope}`, (await createKey([scope])).key);
    keys.set(`without ${scope}`, (await createKey(SCOPES.filter((s) => s !== scope))).key);
    keys.set(`expired ${scope}`, (await createKey([scope], "2001-01-01T00:00:00Z")).key);
    const revoked = await createKey([scope]);
    expect((await admin.call("DELETE", `/api/v1/api-keys/${revoked.id}`)).status).toBe(204);
    keys.set(`revoked ${scope}`, revoked.key);
  }
  const source = await admin.post<{ id: string; secret: string }>("/api/v1/sources", {
    name: "authz",
    provider: "github",
  });
  fixtures.source = source.body.id;
  fixtures.sourceSecret = source.body.secret;
  const sub = await admin.post<{ id: string }>("/api/v1/subscriptions", {
    url: "http://127.0.0.1:9/authz",
    eventTypes: ["*"],
  });
  fixtures.subscription = sub.body.id;
  const body = '{"authz":true}';
  const sent = await admin.call<{ id: string }>("POST", `/api/v1/webhooks/${source.body.id}`, {
    body,
    headers: signAs("github", { body, secret: source.body.secret, now: new Date() }),
    key: null,
  });
  expect(sent.status, sent.text).toBe(202);
  fixtures.webhook = sent.body.id;
  await eventually(
    async () => (await admin.get(`/api/v1/events/${sent.body.id}`)).status === 200,
    "the fixture webhook is stored",
  );
  const job = await admin.post<{ id: string }>("/api/v1/replays", { sourceId: "src_none" });
  expect(job.status, job.text).toBe(202);
  fixtures.replayJob = job.body.id;
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
});

/** A well-formed request for the route, so that only the caller decides the answer. */
async function requestFor(route: AdminRoute, cell: Cell) {
  const id: Record<string, string> = {
    "/api/v1/sources/:id/rotate-secret": fixtures.source,
    "/api/v1/subscriptions/:id/pause": fixtures.subscription,
    "/api/v1/subscriptions/:id/resume": fixtures.subscription,
    "/api/v1/subscriptions/:id/rotate-secret": fixtures.subscription,
    "/api/v1/events/:id": fixtures.webhook,
    "/api/v1/events/:id/replay": fixtures.webhook,
    "/api/v1/replays/:id": fixtures.replayJob,
    "/api/v1/dead-letters/:id/retry": randomUUID(),
    // Only the cell that may act revokes something; the others never get that far.
    "/api/v1/api-keys/:id": cell === "with scope" ? (await createKey(["events:read"])).id : "key_x",
  };
  const bodies: Record<string, unknown> = {
    "POST /api/v1/sources": { name: "authz matrix", provider: "github" },
    "POST /api/v1/subscriptions": { url: "http://127.0.0.1:9/matrix", eventTypes: ["*"] },
    "POST /api/v1/replays": { dryRun: true },
    "POST /api/v1/api-keys": { name: "authz matrix", scopes: ["events:read"] },
  };
  const path = route.path.replace(":id", id[route.path] ?? "x");
  const body = route.method === "POST" ? JSON.stringify(bodies[routeKey(route)] ?? {}) : undefined;
  return { path, body };
}

function authorization(route: AdminRoute, cell: Cell, index: number): string | undefined {
  switch (cell) {
    case "no key":
      return undefined;
    case "malformed key":
      return MALFORMED[index % MALFORMED.length];
    case "revoked key":
      return `Bearer ${keys.get(`revoked ${route.scope}`)}`;
    case "expired key":
      return `Bearer ${keys.get(`expired ${route.scope}`)}`;
    case "without scope":
      return `Bearer ${keys.get(`without ${route.scope}`)}`;
    case "with scope":
      return `Bearer ${keys.get(`with ${route.scope}`)}`;
  }
}

describe("the route table", () => {
  it("lists every route the gateway registers, and nothing else", () => {
    const registered = registeredRoutes();
    const admin = registered.filter((r) => !PUBLIC_ROUTES.includes(r));
    expect(new Set(admin)).toEqual(new Set(ADMIN_ROUTES.map(routeKey)));
    expect(registered.length).toBe(ADMIN_ROUTES.length + PUBLIC_ROUTES.length);
  });

  it("covers every operation of the OpenAPI document, and the document every admin route (F-06)", async () => {
    const doc = (
      await admin.get<{ paths: Record<string, Record<string, unknown>> }>(
        "/api/v1/openapi.json",
        null,
      )
    ).body;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${fromOpenApiPath(path)}`),
    );
    const table = new Set([...ADMIN_ROUTES.map(routeKey), ...PUBLIC_ROUTES]);
    expect(documented.filter((op) => !table.has(op))).toEqual([]);
    const undocumented = ADMIN_ROUTES.map(routeKey).filter((r) => !documented.includes(r));
    expect(undocumented).toEqual([]);
  });
});

describe("the authorization matrix", () => {
  it("answers every route × caller as it must", async () => {
    const raw = rawClient(cluster.gatewayUrl, 4);
    const matrix: string[] = [];
    const failures: string[] = [];
    const unauthenticated = new Map<string, string>();
    let cells = 0;
    for (const [r, route] of ADMIN_ROUTES.entries()) {
      const row: string[] = [];
      for (const cell of CELLS) {
        const { path, body } = await requestFor(route, cell);
        const auth = authorization(route, cell, r);
        const res = await raw.send({
          method: route.method,
          path,
          headers: {
            ...(auth ? { authorization: auth } : {}),
            ...(body ? { "content-type": "application/json" } : {}),
          },
          body: body ? Buffer.from(body) : undefined,
        });
        cells += 1;
        row.push(String(res.status));
        const problem = String(res.headers["content-type"]).startsWith("application/problem+json");
        const ok =
          cell === "with scope"
            ? res.status !== 401 && res.status !== 403 && res.status < 500
            : cell === "without scope"
              ? res.status === 403 && problem
              : res.status === 401 && problem;
        if (!ok)
          failures.push(`${routeKey(route)} × ${cell}: ${res.status} ${res.text.slice(0, 200)}`);
        if (cell === "revoked key" || cell === "expired key") {
          unauthenticated.set(`${routeKey(route)} ${cell}`, JSON.parse(res.text).detail);
        }
      }
      matrix.push(`${routeKey(route).padEnd(46)} ${row.map((s) => s.padStart(4)).join(" ")}`);
    }
    raw.close();
    console.log(
      [
        `authorization matrix: ${ADMIN_ROUTES.length} routes × ${CELLS.length} callers = ${cells} cells`,
        `${"".padEnd(46)} none malf revk expd -scp +scp`,
        ...matrix,
      ].join("\n"),
    );
    expect(failures).toEqual([]);
    expect(cells).toBe(ADMIN_ROUTES.length * CELLS.length);
    // Revoked, expired and unknown keys are told the same thing: a caller learns nothing of which.
    expect(new Set(unauthenticated.values()).size).toBe(1);
  }, 120_000);

  it("refuses a well-formed key that was never issued like a revoked one", async () => {
    const res = await admin.get("/api/v1/sources", `hr_${"A".repeat(43)}`);
    expect(res.status).toBe(401);
    const revoked = await admin.get("/api/v1/sources", keys.get("revoked sources:read"));
    expect(res.body.detail).toBe(revoked.body.detail);
  });

  it("never writes a key or a secret to a log (redaction)", () => {
    const secrets = [cluster.adminKey, ...keys.values(), fixtures.sourceSecret];
    const lines = [...cluster.logs.values()].flat();
    const leaked = lines.filter((line) =>
      secrets.some((secret) => secret && line.includes(secret)),
    );
    console.log(
      `authorization: ${lines.length} log lines checked for ${secrets.length} keys and secrets`,
    );
    expect(leaked).toEqual([]);
  });
});
