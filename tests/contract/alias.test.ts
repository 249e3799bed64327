import { readFileSync } from "node:fs";
import { signAs } from "@hookrail/signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import type { OpenApi } from "./conformance.js";

// The deprecated unversioned alias POST /webhooks/{sourceId} (docs/api-versioning.md): it works
// as the versioned route does, and every answer says it is deprecated and names its successor.

/** RFC 9745: deprecated since 2026-11-29, as the policy and the document say. */
const DEPRECATION = `@${Date.UTC(2026, 10, 29) / 1000}`;
const DOCUMENT: OpenApi = JSON.parse(
  readFileSync(new URL("../../docs/api/openapi.v1.json", import.meta.url), "utf8"),
);

let cluster: Cluster;
let api: ReturnType<typeof apiClient>;
let source: { id: string; secret: string };

beforeAll(async () => {
  cluster = await startCluster({ services: ["gateway"] });
  api = apiClient(cluster.gatewayUrl, cluster.adminKey);
  const res = await api.post<typeof source>("/api/v1/sources", {
    name: "alias",
    provider: "github",
  });
  expect(res.status, res.text).toBe(201);
  source = res.body;
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
});

const signed = (body: string, deliveryId: string) =>
  signAs("github", { body, secret: source.secret, now: new Date(), deliveryId, eventType: "push" });
const send = (path: string, body: string, headers: Record<string, string>) =>
  api.call<{ id: string }>("POST", path, { body, headers, key: null });

describe("the unversioned alias POST /webhooks/{sourceId}", () => {
  it("accepts a webhook as the versioned route does, the same delivery being the same webhook", async () => {
    const body = '{"alias":1}';
    const headers = signed(body, "alias-delivery-1");
    const old = await send(`/webhooks/${source.id}`, body, headers);
    expect(old.status, old.text).toBe(202);
    const current = await send(`/api/v1/webhooks/${source.id}`, body, headers);
    expect(current.status).toBe(202);
    expect(current.body.id).toBe(old.body.id);
  });

  it("sends Deprecation (RFC 9745) and Link rel=successor-version, and no Sunset yet", async () => {
    const body = '{"alias":2}';
    const res = await send(`/webhooks/${source.id}`, body, signed(body, "alias-delivery-2"));
    expect(res.status).toBe(202);
    expect(res.headers.get("deprecation")).toBe(DEPRECATION);
    expect(res.headers.get("link")).toBe(
      `</api/v1/webhooks/${source.id}>; rel="successor-version"`,
    );
    // No sunset date has been set; when one is, docs/api-versioning.md says so and this changes.
    expect(res.headers.get("sunset")).toBeNull();
  });

  it("says so on its refusals too: a bad signature, an unknown source, a body not JSON", async () => {
    const body = '{"alias":3}';
    const refusals = [
      await send(`/webhooks/${source.id}`, body, signed("{}", "alias-delivery-3")),
      await send("/webhooks/src_alias_unknown", body, signed(body, "alias-delivery-4")),
      await send(`/webhooks/${source.id}`, body, { "content-type": "text/plain" }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([401, 404, 415]);
    for (const r of refusals) {
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(r.headers.get("deprecation")).toBe(DEPRECATION);
      expect(r.headers.get("link")).toMatch(
        /^<\/api\/v1\/webhooks\/[^>]+>; rel="successor-version"$/,
      );
    }
  });

  it("is not what the versioned route says: no deprecation headers there", async () => {
    const body = '{"alias":5}';
    const res = await send(`/api/v1/webhooks/${source.id}`, body, signed(body, "alias-delivery-5"));
    expect(res.status).toBe(202);
    expect(res.headers.get("deprecation")).toBeNull();
    expect(res.headers.get("link")).toBeNull();
  });

  it("is documented deprecated, with both headers on every answer", () => {
    const op = DOCUMENT.paths["/webhooks/{sourceId}"]?.post as { deprecated?: boolean } & {
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    expect(op.deprecated).toBe(true);
    for (const [status, response] of Object.entries(op.responses))
      expect(Object.keys(response.headers ?? {}), status).toEqual(
        expect.arrayContaining(["Deprecation", "Link"]),
      );
    expect(DOCUMENT.paths["/api/v1/webhooks/{sourceId}"]?.post).not.toHaveProperty("deprecated");
  });
});
