import { gzipSync } from "node:zlib";
import { signAs } from "@hookrail/signatures";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { ADMIN_ROUTES, type AdminRoute, SCOPES } from "./admin-routes.js";
import {
  anyBody,
  contentEncoding,
  extraHeaders,
  hostileSegment,
  sometimes,
  token,
} from "./arbitraries.js";
import { knownBug } from "./known-bugs.js";
import {
  clusterHealth,
  earlierOn,
  fuzzRequests,
  fuzzTimeoutMs,
  hardeningProblem,
  inParallel,
  leaksIn,
  mayReset,
  type RawRequest,
  type RawResponse,
  rawClient,
  Tally,
} from "./support.js";

// Fuzzes every admin route with a valid key (every scope): random and near-valid JSON bodies,
// query strings, path parameters, content types and encodings. Properties:
//   - no 5xx, unless the exchange is a known, recorded bug (known-bugs.ts);
//   - every answer is a success or 400/404/413/415, and a refusal is problem+json that leaks
//     nothing (no stack frame, SQL or driver wording, source path);
//   - no answer ever carries a stored secret (source or subscription secret, key hash);
//   - afterwards all three services answer /healthz and the gateway's /readyz is 200.

const BATCH = 16;
// 431: Node itself refuses a request line and headers over 16 KiB.
const ALLOWED = new Set([200, 201, 202, 204, 400, 404, 413, 415, 431]);

let cluster: Cluster;
const ids = {
  source: [] as string[],
  subscription: [] as string[],
  webhook: [] as string[],
  key: [] as string[],
  job: [] as string[],
};
const tally = new Tally();

beforeAll(async () => {
  cluster = await startCluster({ env: { LOG_LEVEL: "warn" } });
  const api = apiClient(cluster.gatewayUrl, cluster.adminKey);
  for (const provider of ["github", "stripe", "standard-webhooks", "hmac-sha256"] as const) {
    const s = await api.post<{ id: string; secret: string }>("/api/v1/sources", {
      name: provider,
      provider,
    });
    expect(s.status, s.text).toBe(201);
    ids.source.push(s.body.id);
    if (provider === "github") {
      const body = '{"fuzz":"admin"}';
      const sent = await api.call<{ id: string }>("POST", `/api/v1/webhooks/${s.body.id}`, {
        body,
        headers: signAs("github", { body, secret: s.body.secret, now: new Date() }),
        key: null,
      });
      ids.webhook.push(sent.body.id);
    }
  }
  for (const port of [9, 10]) {
    const sub = await api.post<{ id: string }>("/api/v1/subscriptions", {
      url: `http://127.0.0.1:${port}/fuzz`,
      eventTypes: ["*"],
    });
    ids.subscription.push(sub.body.id);
  }
  for (let i = 0; i < 4; i++) {
    const key = await api.post<{ id: string }>("/api/v1/api-keys", {
      name: `k${i}`,
      scopes: ["events:read"],
    });
    ids.key.push(key.body.id);
  }
  const job = await api.post<{ id: string }>("/api/v1/replays", { sourceId: "src_none" });
  ids.job.push(job.body.id);
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
});

// ── generators ────────────────────────────────────────────────────────────────────────────────

const text = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => "x".repeat(n)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "__proto__",
      "constructor",
      "' OR 1=1 --",
      "\\u0000",
      "../../etc/passwd",
    ),
  },
);
/** A value of any JSON type, biased towards the ones a field might expect. */
const anyValue = fc.oneof(
  { weight: 4, arbitrary: text },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.constantFrom(0, -1, 1e21, Number.MAX_SAFE_INTEGER),
    ),
  },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.array(text, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const datetime = fc.oneof(
  fc
    .date({ min: new Date(0), max: new Date(8.64e15), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom("2024-99-99T00:00:00Z", "2024-01-01", "now", "-000001-01-01T00:00:00Z"),
);
const url = fc.oneof(
  fc.constantFrom(
    "http://127.0.0.1:9/x",
    "https://127.0.0.1/",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://169.254.169.254/latest",
    "file:///etc/passwd",
    "http://user:pw@127.0.0.1/",
    "gopher://127.0.0.1",
    "http://0x7f000001/",
    "http://2130706433/",
  ),
  fc.ipV4().map((ip) => `http://${ip}:${8000}/hook`),
  fc.ipV6().map((ip) => `https://[${ip}]/hook`),
  text,
);

/** Known field names per route, each with values of the right type and of every other type. */
const FIELDS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  "POST /api/v1/sources": {
    name: text,
    provider: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom("github", "stripe", "standard-webhooks", "hmac-sha256"),
      },
      text,
    ),
    secret: text,
    options: fc.oneof(
      fc.record(
        {
          signatureHeader: text,
          encoding: fc.oneof(fc.constantFrom("hex", "base64"), text),
          deliveryIdHeader: text,
          eventTypeHeader: text,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
  },
  "POST /api/v1/sources/:id/rotate-secret": { overlapSeconds: anyValue, secret: text },
  "POST /api/v1/subscriptions": {
    url,
    eventTypes: fc.oneof(fc.array(fc.oneof(fc.constant("*"), text), { maxLength: 5 }), anyValue),
    sourceIds: fc.oneof(fc.array(text, { maxLength: 3 }), anyValue),
  },
  "POST /api/v1/subscriptions/:id/rotate-secret": { overlapSeconds: anyValue },
  "POST /api/v1/replays": {
    sourceId: text,
    subscriptionId: text,
    eventType: text,
    status: fc.oneof(fc.constantFrom("received", "delivering", "delivered", "failed"), text),
    from: datetime,
    to: datetime,
    dryRun: fc.oneof(fc.constant(true), anyValue),
    ratePerSecond: fc.oneof(fc.integer({ min: -5, max: 2000 }), anyValue),
  },
  "POST /api/v1/api-keys": {
    name: text,
    scopes: fc.oneof(
      fc.array(fc.oneof(fc.constantFrom(...SCOPES), text), { maxLength: 12 }),
      anyValue,
    ),
    expiresAt: fc.oneof(datetime, anyValue),
  },
};
const QUERY: Record<string, Record<string, fc.Arbitrary<string>>> = {
  "GET /api/v1/events": {
    sourceId: fc.oneof(fc.constantFrom("src_x"), fc.string({ maxLength: 70 })),
    status: fc.oneof(fc.constantFrom("received", "delivered", "failed"), fc.string()),
    cursor: fc.oneof(fc.nat().map(String), fc.string(), fc.constant("99999999999999999999")),
    limit: fc.oneof(fc.integer({ min: -10, max: 500 }).map(String), fc.string()),
  },
  "GET /api/v1/dead-letters": {
    kind: fc.oneof(fc.constantFrom("delivery", "pipeline"), fc.string()),
    limit: fc.oneof(fc.integer({ min: -10, max: 500 }).map(String), fc.string()),
    cursor: fc.oneof(fc.constant("9999999999999"), fc.nat().map(String), fc.string()),
  },
};

const objectFor = (route: string) =>
  fc
    .tuple(
      fc.record(FIELDS[route] ?? {}, { requiredKeys: [] }),
      fc.dictionary(
        fc.oneof(token(12), fc.constantFrom("__proto__", "constructor", "id")),
        anyValue,
        { maxKeys: 2 },
      ),
      fc.integer({ min: 0, max: 9 }),
    )
    .map(([known, unknown, roll]) => (roll < 7 ? known : { ...unknown, ...known }));

interface AdminCase {
  route: AdminRoute;
  request: RawRequest;
}

function idFor(route: AdminRoute): fc.Arbitrary<string> {
  const pool = route.path.startsWith("/api/v1/sources")
    ? ids.source
    : route.path.startsWith("/api/v1/subscriptions")
      ? ids.subscription
      : route.path.startsWith("/api/v1/events")
        ? ids.webhook
        : route.path.startsWith("/api/v1/api-keys")
          ? ids.key
          : route.path.startsWith("/api/v1/replays")
            ? ids.job
            : [];
  return fc.oneof(
    { weight: 3, arbitrary: pool.length > 0 ? fc.constantFrom(...pool) : fc.uuid() },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: hostileSegment },
  );
}

const adminCase = (key: string): fc.Arbitrary<AdminCase> =>
  fc.constantFrom(...ADMIN_ROUTES).chain((route) => {
    const name = `${route.method} ${route.path}`;
    const query = QUERY[name];
    return fc
      .record({
        id: idFor(route),
        query: fc.oneof(
          { weight: 3, arbitrary: fc.constant("") },
          {
            weight: 4,
            arbitrary: fc
              .record(query ?? { x: fc.string() }, { requiredKeys: [] })
              .map((q) => new URLSearchParams(q as Record<string, string>).toString()),
          },
          {
            weight: 1,
            arbitrary: fc
              .array(
                fc.tuple(
                  fc.oneof(
                    token(10),
                    fc.constantFrom("limit", "cursor", "__proto__[x]", "sourceId[]"),
                  ),
                  fc.string({ maxLength: 30 }),
                ),
                { maxLength: 4 },
              )
              .map((pairs) =>
                pairs
                  .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
                  .join("&"),
              ),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom("%", "a=%zz", "limit=1&limit=2", "=", "&&&", "a[b][c][d]=1"),
          },
        ),
        body: fc.oneof(
          { weight: 6, arbitrary: objectFor(name).map((o) => Buffer.from(JSON.stringify(o))) },
          { weight: 2, arbitrary: anyBody },
          { weight: 1, arbitrary: fc.constant(Buffer.alloc(70 * 1024, 0x20)) },
          { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
        ),
        contentType: fc.oneof(
          { weight: 8, arbitrary: fc.constant("application/json") },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              "application/json; charset=utf-8",
              "application/json; charset=latin1",
              "application/json; charset=utf-16",
              "text/plain",
              "application/x-www-form-urlencoded",
              "application/merge-patch+json",
              "",
            ),
          },
        ),
        encoding: sometimes(contentEncoding),
        gzip: fc.boolean(),
        extra: extraHeaders(["authorization"]),
      })
      .map((g) => {
        let body =
          route.method === "POST" ? g.body : g.body.length > 0 && g.gzip ? g.body : undefined;
        if (g.encoding === "gzip" && g.gzip && body) body = gzipSync(body);
        const headers: Record<string, string> = {
          ...g.extra,
          authorization: `Bearer ${key}`,
          ...(g.contentType ? { "content-type": g.contentType } : {}),
          ...(g.encoding ? { "content-encoding": g.encoding } : {}),
        };
        const path = `${route.path.replace(":id", g.id)}${g.query ? `?${g.query}` : ""}`;
        const request = { method: route.method, path, headers, body };
        return Object.assign({ route, request }, { [fc.toStringMethod]: () => summary(request) });
      });
  });

function summary(r: RawRequest): string {
  const body = r.body?.toString("latin1") ?? "";
  return `${r.method} ${r.path.slice(0, 300)} headers=${JSON.stringify(r.headers).slice(0, 300)} body(${body.length})=${JSON.stringify(body.slice(0, 300))}`;
}

// Stored secrets that must never come back after creation (API3, property-level authorization).
const SECRET_FIELDS = /"(keyHash|key_hash|previousSecret|previous_secret|sealed|ciphertext)"\s*:/;

function check(c: AdminCase, res: RawResponse): string | undefined {
  const req = c.request;
  tally.add(`${res.status}`);
  const bug = res.status >= 500 || res.status < 0 ? knownBug(req, res) : undefined;
  if (bug) {
    tally.add(`known ${bug.id}`);
    return undefined;
  }
  if (res.status < 0) return `an answer the client cannot read (${res.text})`;
  const hardening = hardeningProblem(res);
  if (hardening) return `the answer lacks hardening: ${hardening}`;
  if (res.status === 0) return mayReset(req) ? undefined : `the connection was reset (${res.text})`;
  if (!ALLOWED.has(res.status)) return `answered ${res.status}`;
  const isProblem = String(res.headers["content-type"] ?? "").startsWith(
    "application/problem+json",
  );
  // Node's own parser refusals (a request line it cannot read) carry no body and no type.
  if (res.status >= 400 && res.text !== "" && !isProblem)
    return "a refusal that is not problem+json";
  const requestText = `${req.path}\n${req.body?.toString("latin1") ?? ""}`;
  // Successes may quote what the operator asked to see (a delivery's last error, say); refusals
  // must say nothing about the inside.
  const leaks = res.status >= 400 ? leaksIn(res.text, requestText) : [];
  if (leaks.length > 0) return `the answer leaks: ${leaks.join(", ")}`;
  if (SECRET_FIELDS.test(res.text)) return "the answer carries a stored secret";
  if (req.method === "GET" && /"secret"\s*:/.test(res.text)) return "a read returns a secret";
  return undefined;
}

describe("admin API fuzzing", () => {
  it(
    "never 5xx; bad input is 400/404/413/415 problem+json that leaks nothing",
    async () => {
      const total = fuzzRequests();
      const client = rawClient(cluster.gatewayUrl, BATCH);
      const started = Date.now();
      let sent = 0;
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(adminCase(cluster.adminKey), { minLength: BATCH, maxLength: BATCH }),
            async (batch) => {
              const responses = await inParallel(
                batch.map((c) => () => client.send(c.request)),
                BATCH,
              );
              sent += batch.length;
              batch.forEach((c, i) => {
                // biome-ignore lint/style/noNonNullAssertion: same length
                const res = responses[i]!;
                const problem = check(c, res);
                if (problem)
                  throw new Error(
                    `${problem}\n  ${summary(c.request)}\n  → ${res.status} ${res.text.slice(0, 400)}${earlierOn(res)}`,
                  );
              });
            },
          ),
          { numRuns: Math.ceil(total / BATCH), endOnFailure: true },
        );
      } finally {
        client.close();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        console.log(`admin fuzz: ${sent} requests in ${seconds}s; statuses ${tally}`);
      }
      expect(sent).toBeGreaterThanOrEqual(total);
    },
    fuzzTimeoutMs(),
  );

  it("leaves every service healthy and the gateway ready", async () => {
    const health = await clusterHealth(cluster);
    console.log(`admin fuzz: health after the run ${JSON.stringify(health)}`);
    expect(Object.values(health).every((s) => s === 200)).toBe(true);
    expect(Object.keys(health)).toHaveLength(4);
  });
});

// The fuzzers' findings (docs/security.md, "Findings"). Fixed ones keep their reproduction as a
// regression test; an open one is pinned as `it.fails`, written as the correct behaviour, so its
// fix turns it red (then drop the `.fails`).
describe("findings of the admin API (docs/security.md)", () => {
  const send = (
    r: Omit<RawRequest, "headers"> & { headers?: Record<string, string> },
    key: string | null = cluster.adminKey,
  ) => {
    const client = rawClient(cluster.gatewayUrl, 1);
    return client
      .send({ ...r, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...r.headers } })
      .finally(() => client.close());
  };
  const json = (value: unknown) => ({
    "content-type": "application/json",
    body: Buffer.from(JSON.stringify(value)),
  });
  const problemOf = (res: RawResponse) => {
    expect(String(res.headers["content-type"])).toMatch(/^application\/problem\+json/);
    return JSON.parse(res.text) as {
      type: string;
      detail: string;
      issues?: { path: string; message: string }[];
    };
  };

  it("F-01 (fixed): a malformed %-escape in a path parameter is a 400 problem", async () => {
    for (const path of [
      "/api/v1/events/%E0%A4%A",
      "/api/v1/sources/%zz/rotate-secret",
      "/api/v1/api-keys/%",
    ]) {
      const method = path.startsWith("/api/v1/api-keys")
        ? "DELETE"
        : path.endsWith("secret")
          ? "POST"
          : "GET";
      const res = await send({ method, path });
      expect(res.status, path).toBe(400);
      expect(problemOf(res).detail).not.toMatch(/%E0|%zz|decode param/);
    }
  });

  it("F-02 (fixed): a body that does not decode with its Content-Encoding is a 400", async () => {
    const res = await send({
      method: "POST",
      path: "/api/v1/sources",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: Buffer.from("not gzip"),
    });
    expect(res.status).toBe(400);
    expect(problemOf(res).detail).not.toMatch(/header check|Z_DATA/);
  });

  it("F-03 (fixed): NUL or an unpaired surrogate in any admin input is a 400, not a Postgres error", async () => {
    const post = (path: string, value: unknown) => ({
      method: "POST",
      path,
      ...split(json(value)),
    });
    const split = ({ body, ...headers }: { body: Buffer; "content-type": string }) => ({
      headers,
      body,
    });
    const bodies = [
      post("/api/v1/sources", { name: "a\u0000b", provider: "github" }),
      post("/api/v1/sources", { name: "a\ud800b", provider: "github" }),
      post("/api/v1/sources", { name: "n", provider: "github", secret: "secret-\u0000-secret" }),
      post("/api/v1/sources", {
        name: "n",
        provider: "hmac-sha256",
        options: { signatureHeader: "X-Sig\u0000" },
      }),
      post("/api/v1/sources", { name: "n", provider: "github", "\u0000": 1 }),
      post("/api/v1/api-keys", { name: "\udfff", scopes: ["events:read"] }),
      post("/api/v1/replays", { sourceId: "src_\u0000", dryRun: true }),
      post("/api/v1/replays", { subscriptionId: "sub_\ud83d", dryRun: true }),
      post("/api/v1/replays", { eventType: "a\u0000", dryRun: true }),
      post("/api/v1/subscriptions", {
        url: "http://127.0.0.1:9/x",
        eventTypes: ["*"],
        sourceIds: ["src_\u0000"],
      }),
      // The escape as JSON text, nested: what a sender writes, not what a client library makes.
      {
        method: "POST",
        path: "/api/v1/sources",
        headers: { "content-type": "application/json" },
        body: Buffer.from(
          '{"name":"n","provider":"hmac-sha256","options":{"eventTypeHeader":"X-\\u0000"}}',
        ),
      },
      post(`/api/v1/sources/${ids.source[0]}/rotate-secret`, { secret: "new-\u0000-secret" }),
    ];
    for (const r of bodies) {
      const res = await send(r);
      expect(res.status, `${r.path} ${r.body.toString()}`).toBe(400);
      const problem = problemOf(res);
      expect(problem.type).toBe("urn:hookrail:problem:invalid-request");
      expect(problem.issues?.[0]?.message).toMatch(/NUL|surrogate/);
    }
    // Query strings: a 400 too. (A lone surrogate cannot arrive here: bytes that are not UTF-8
    // decode to U+FFFD.)
    for (const query of ["sourceId=a%00b", "sourceId[x]=a%00b", "cursor=%00"]) {
      const res = await send({ method: "GET", path: `/api/v1/events?${query}` });
      expect(res.status, query).toBe(400);
    }
    // Path ids name nothing when they are not of an id's form: 404 before any query.
    for (const [method, path] of [
      ["POST", "/api/v1/sources/a%00b/rotate-secret"],
      ["POST", "/api/v1/subscriptions/a%00b/pause"],
      ["POST", "/api/v1/subscriptions/sub_%20x/rotate-secret"],
      ["DELETE", "/api/v1/api-keys/key_%00"],
    ] as const) {
      const body = method === "POST" ? json({}) : undefined;
      const res = await send({
        method,
        path,
        headers: body ? { "content-type": body["content-type"] } : {},
        body: body?.body,
      });
      expect(res.status, path).toBe(404);
      problemOf(res);
    }
  });

  it("F-05 (fixed): a subscription url that is not a URL is a 400 naming the field", async () => {
    for (const url of ["not a url", "http://", "ftp://example.com/x", ""]) {
      const { body, ...headers } = json({ url, eventTypes: ["*"] });
      const res = await send({ method: "POST", path: "/api/v1/subscriptions", headers, body });
      expect(res.status, url).toBe(400);
      expect(problemOf(res).issues?.map((i) => i.path)).toContain("url");
    }
    const { body, ...headers } = json({ url: "http://user:pw@127.0.0.1:9/x", eventTypes: ["*"] });
    const res = await send({ method: "POST", path: "/api/v1/subscriptions", headers, body });
    expect(res.status).toBe(400);
    expect(problemOf(res).issues).toContainEqual({
      path: "url",
      message: "must not carry credentials",
    });
  });

  it("F-07: an unauthenticated request is refused (401) before its body is parsed", async () => {
    const res = await send(
      {
        method: "POST",
        path: "/api/v1/sources",
        headers: { "content-type": "application/json" },
        body: Buffer.from("{not json"),
      },
      null,
    );
    expect(res.status).toBe(401);
  });
});
