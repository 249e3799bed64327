import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { breakingChanges } from "../../scripts/api/openapi-diff.js";

// The breaking-change gate must be able to fail: each kind of breaking change is shown failing,
// each kind of addition passing, on a small document and on the real one, by the function and by
// the command CI runs (`pnpm openapi:check`).

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(ROOT, "scripts/api/openapi-diff.ts");
const REAL = JSON.parse(readFileSync(join(ROOT, "docs/api/openapi.v1.json"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "openapi-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely, a path at a time
type Doc = Record<string, any>;

/** A small v1: a create with a strict body and a query, a list with a referenced page. */
function base(): Doc {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1.0.0" },
    paths: {
      "/api/v1/things": {
        post: {
          security: [{ apiKey: ["things:write"] }],
          parameters: [
            { name: "dryRun", in: "query", required: false, schema: { type: "boolean" } },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["name"],
                  properties: {
                    name: { type: "string", minLength: 1, maxLength: 200 },
                    kind: { type: "string", enum: ["a", "b"] },
                    count: { type: "number" },
                  },
                  additionalProperties: false,
                },
              },
            },
          },
          responses: {
            "201": {
              description: "created",
              headers: { "X-Request-Id": { schema: { type: "string" } } },
              content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
            },
            "400": { description: "bad" },
          },
        },
        get: {
          security: [{ apiKey: ["things:read"] }],
          responses: {
            "200": {
              description: "page",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Page" } } },
            },
          },
        },
      },
      "/api/v1/things/{id}": {
        get: {
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "one" } },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: "object",
          required: ["id", "status"],
          properties: {
            id: { type: "string" },
            status: { type: "string", enum: ["active", "paused"] },
            note: { anyOf: [{ type: "string" }, { type: "null" }] },
          },
        },
        Page: {
          type: "object",
          required: ["data", "nextCursor"],
          properties: {
            data: { type: "array", items: { $ref: "#/components/schemas/Thing" } },
            nextCursor: { type: ["string", "null"] },
          },
        },
      },
    },
  };
}

const post = (d: Doc) => d.paths["/api/v1/things"].post;
const body = (d: Doc) => post(d).requestBody.content["application/json"].schema;
const thing = (d: Doc) => d.components.schemas.Thing;

/** Each kind of breaking change the policy names, made to the small document. */
const BREAKING: Record<string, (d: Doc) => void> = {
  "path removed": (d) => delete d.paths["/api/v1/things/{id}"],
  "operation removed": (d) => delete d.paths["/api/v1/things"].get,
  "response status removed": (d) => delete post(d).responses["400"],
  "response header removed": (d) => delete post(d).responses["201"].headers,
  "request field newly required": (d) => body(d).required.push("kind"),
  "request body newly required": (d) => {
    d.paths["/api/v1/things/{id}"].get.requestBody = {
      required: true,
      content: { "application/json": { schema: {} } },
    };
  },
  "new required parameter": (d) =>
    post(d).parameters.push({ name: "tenant", in: "query", required: true, schema: {} }),
  "parameter newly required": (d) => (post(d).parameters[0].required = true),
  "parameter removed": (d) => (post(d).parameters = []),
  "parameter moved from query to header": (d) => (post(d).parameters[0].in = "header"),
  "type narrowed": (d) => (body(d).properties.count.type = "integer"),
  "enum narrowed": (d) => (body(d).properties.kind.enum = ["a"]),
  "maxLength lowered": (d) => (body(d).properties.name.maxLength = 100),
  "minLength raised": (d) => (body(d).properties.name.minLength = 2),
  "pattern changed": (d) => (body(d).properties.name.pattern = "^[a-z]+$"),
  "request field removed (it is now refused)": (d) => delete body(d).properties.count,
  "response field removed": (d) => delete thing(d).properties.status,
  "response field no longer always present": (d) => (thing(d).required = ["id"]),
  "response type widened": (d) => (thing(d).properties.id.type = ["string", "null"]),
  "response enum widened": (d) => thing(d).properties.status.enum.push("archived"),
  "response can take a form it was not promised": (d) =>
    thing(d).properties.note.anyOf.push({ type: "integer" }),
  "response field removed, through a $ref": (d) =>
    delete d.components.schemas.Page.properties.nextCursor,
  "security requirement changed": (d) => (post(d).security = [{ apiKey: ["admin"] }]),
  "authentication newly required": (d) =>
    (d.paths["/api/v1/things/{id}"].get.security = [{ apiKey: ["things:read"] }]),
};

/** Additions, which v1 clients cannot notice. */
const ADDITIVE: Record<string, (d: Doc) => void> = {
  "new path": (d) => (d.paths["/api/v1/others"] = { get: { responses: { "200": {} } } }),
  "new operation": (d) => (d.paths["/api/v1/things/{id}"].delete = { responses: { "204": {} } }),
  "new optional parameter": (d) =>
    post(d).parameters.push({ name: "x", in: "query", required: false, schema: {} }),
  "new optional request field": (d) => (body(d).properties.label = { type: "string" }),
  "request enum widened": (d) => body(d).properties.kind.enum.push("c"),
  "request bounds loosened": (d) => (body(d).properties.name.maxLength = 500),
  "request type widened": (d) => (body(d).properties.count.type = ["number", "string"]),
  "request field made nullable": (d) =>
    (body(d).properties.count = { anyOf: [{ type: "number" }, { type: "null" }] }),
  "new response status": (d) => (post(d).responses["409"] = { description: "conflict" }),
  "new response field": (d) => (thing(d).properties.createdAt = { type: "string" }),
  "response enum narrowed": (d) => (thing(d).properties.status.enum = ["active"]),
  "response field made always present": (d) => thing(d).required.push("note"),
  "new response header": (d) =>
    (post(d).responses["201"].headers.Deprecation = { schema: { type: "string" } }),
  "descriptions and summaries": (d) => {
    post(d).summary = "Create a thing";
    body(d).properties.name.description = "Its name";
  },
  "a scope fewer": (d) => (post(d).security = [{ apiKey: [] }]),
};

describe("the OpenAPI breaking-change gate", () => {
  it("finds nothing between a document and itself (the real one included)", () => {
    expect(breakingChanges(base(), base())).toEqual([]);
    expect(breakingChanges(REAL, structuredClone(REAL))).toEqual([]);
  });

  it.each(Object.entries(BREAKING))("fails on a breaking change: %s", (name, change) => {
    const head = base();
    change(head);
    const found = breakingChanges(base(), head).map((c) => `${c.where}: ${c.what}`);
    console.log(`openapi-diff: ${name} → ${found.join("; ")}`);
    expect(found.length).toBeGreaterThan(0);
    // The gate names the change itself, not some side effect of the edit.
    expect(found.join("\n")).toContain(name.split(",")[0]?.replace("response ", ""));
  });

  it.each(Object.entries(ADDITIVE))("passes an additive change: %s", (_name, change) => {
    const head = base();
    change(head);
    expect(breakingChanges(base(), head)).toEqual([]);
  });

  it("fails when unknown request fields become refused", () => {
    const lenient = base();
    delete body(lenient).additionalProperties;
    expect(breakingChanges(lenient, base())).toEqual([
      {
        where: "POST /api/v1/things › request body",
        what: "unknown fields are now refused (additionalProperties: false)",
      },
    ]);
  });

  it("follows a recursive schema without looping, and finds a change inside it", () => {
    const tree = (withName: boolean): Doc => {
      const d = base();
      d.components.schemas.Thing.properties.children = {
        type: "array",
        items: { $ref: "#/components/schemas/Thing" },
      };
      if (!withName) delete d.components.schemas.Thing.properties.note;
      return d;
    };
    expect(breakingChanges(tree(true), tree(true))).toEqual([]);
    const found = breakingChanges(tree(true), tree(false)).map((c) => c.where);
    expect(found).toContain("POST /api/v1/things › 201 › application/json › note");
  });

  it("names where and what", () => {
    const head = base();
    delete thing(head).properties.status;
    expect(breakingChanges(base(), head)).toEqual([
      {
        where: "GET /api/v1/things › 200 › application/json › data[] › status",
        what: "response field removed",
      },
      {
        where: "POST /api/v1/things › 201 › application/json › status",
        what: "response field removed",
      },
    ]);
  });

  it("catches a breaking change to the real v1 document", () => {
    const head = structuredClone(REAL);
    delete head.paths["/api/v1/dead-letters"].get;
    delete head.components.schemas.WebhookPage.properties.nextCursor;
    head.components.schemas.CreatedSource.required.pop();
    const found = breakingChanges(REAL, head).map((c) => c.what);
    expect(found).toEqual(
      expect.arrayContaining([
        "operation removed",
        "response field removed",
        "response field no longer always present",
      ]),
    );
  });
});

describe("pnpm openapi:check", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", cwd: ROOT });
  const files = (name: string, head: Doc) => {
    const baseline = join(dir, `${name}.baseline.json`);
    const current = join(dir, `${name}.json`);
    writeFileSync(baseline, JSON.stringify(base()));
    writeFileSync(current, JSON.stringify(head));
    return [baseline, current] as const;
  };

  it("passes on the committed document and baseline", () => {
    const r = run();
    expect(r.status, r.stderr).toBe(0);
  });

  it("exits 1 on a breaking change, naming it, and --accept refuses to take it", () => {
    const head = base();
    delete post(head).responses["400"];
    const [baseline, current] = files("breaking", head);
    const r = run(baseline, current);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("POST /api/v1/things › 400: response status removed");
    expect(run("--accept", baseline, current).status).toBe(1);
    expect(JSON.parse(readFileSync(baseline, "utf8"))).toEqual(base());
  });

  it("exits 1 while the baseline lags an additive change, until --accept moves it up", () => {
    const head = base();
    thing(head).properties.createdAt = { type: "string" };
    const [baseline, current] = files("additive", head);
    const lagging = run(baseline, current);
    expect(lagging.status).toBe(1);
    expect(lagging.stderr).toContain("baseline lags");
    expect(run("--accept", baseline, current).status).toBe(0);
    expect(JSON.parse(readFileSync(baseline, "utf8"))).toEqual(head);
    expect(run(baseline, current).status).toBe(0);
  });
});
