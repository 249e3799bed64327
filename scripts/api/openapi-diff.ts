/**
 * The API's breaking-change gate (`pnpm openapi:check`): compares the committed document
 * docs/api/openapi.v1.json with the accepted baseline docs/api/openapi.v1.baseline.json and fails
 * on any change a v1 client could notice (docs/api-versioning.md):
 *   - a path or an operation removed;
 *   - a response status removed, or a response header;
 *   - a parameter or request field newly required, a parameter removed or moved (`in`), a request
 *     field removed where unknown fields are refused;
 *   - a request type, enum, format, pattern or bound narrowed (what was accepted is refused);
 *   - a response field removed or no longer always present, a response type or enum widened
 *     (what a client reads takes a shape it was not promised).
 * Additions (paths, operations, optional parameters and fields, statuses, response fields) pass.
 *
 * The baseline is committed, so the gate needs neither network nor git history. It also fails
 * while the baseline lags the document: `--accept` (run by `pnpm openapi:write`) moves it up to
 * the document when nothing is breaking, so every accepted change is in review as a baseline
 * diff. A breaking change is accepted only by editing the baseline by hand, with a new major
 * version (/api/v2): the policy says when.
 *
 * Usage: node scripts/api/openapi-diff.ts [--accept] [baseline current]
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

type Json = Record<string, unknown>;
type Direction = "request" | "response";

export interface Change {
  /** Where, e.g. `POST /api/v1/sources › request body › name`. */
  where: string;
  what: string;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const asObject = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A `$ref` within the document, followed (to a depth, so a cycle cannot loop). */
function resolve(doc: Json, value: unknown, depth = 0): Json {
  const ref = asObject(value).$ref;
  if (typeof ref !== "string" || depth > 20) return asObject(value);
  if (!ref.startsWith("#/"))
    throw new Error(`openapi-diff: only local $refs are supported: ${ref}`);
  let target: unknown = doc;
  for (const part of ref.slice(2).split("/")) {
    target = asObject(target)[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  if (target === undefined) throw new Error(`openapi-diff: ${ref} does not resolve`);
  return resolve(doc, target, depth + 1);
}

/** The JSON types a schema allows; undefined means any. `integer` is a kind of `number`. */
function types(schema: Json): Set<string> | undefined {
  if (schema.type === undefined) return undefined;
  const set = new Set(list(schema.type).length ? (schema.type as string[]) : [String(schema.type)]);
  if (set.has("number")) set.add("integer");
  return set;
}
const values = (schema: Json): unknown[] | undefined =>
  "const" in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
const branches = (schema: Json): unknown[] | undefined =>
  Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : undefined;
const show = (v: unknown) => JSON.stringify(v);

const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"];
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"];

/**
 * The breaking differences between two schemas. `request`: the new one must accept all the old
 * one accepted. `response`: the new one may only produce what the old one promised.
 */
export function compareSchemas(
  docs: { base: Json; head: Json },
  baseSchema: unknown,
  headSchema: unknown,
  direction: Direction,
  where: string,
  refs: ReadonlySet<string> = new Set(),
): Change[] {
  // A $ref met again below itself is a recursive schema: it was compared where it was first met.
  const baseRef = asObject(baseSchema).$ref;
  const headRef = asObject(headSchema).$ref;
  const pair = `${baseRef ?? ""}|${headRef ?? ""}`;
  if ((baseRef || headRef) && refs.has(pair)) return [];
  const below = baseRef || headRef ? new Set([...refs, pair]) : refs;
  const base = resolve(docs.base, baseSchema);
  const head = resolve(docs.head, headSchema);
  const out: Change[] = [];
  const add = (what: string, at = where) => out.push({ where: at, what });
  const recurse = (b: unknown, h: unknown, at: string) =>
    out.push(...compareSchemas(docs, b, h, direction, at, below));

  // Unions: each alternative the wider side has must fit one on the narrower side.
  const [wide, narrow] = direction === "request" ? [base, head] : [head, base];
  const wideBranches = branches(wide);
  const narrowBranches = branches(narrow);
  if (wideBranches || narrowBranches) {
    const narrowSet = narrowBranches ?? [narrow];
    for (const [i, branch] of (wideBranches ?? [wide]).entries()) {
      const fits = narrowSet.some((n) => {
        const [b, h] = direction === "request" ? [branch, n] : [n, branch];
        return compareSchemas(docs, b, h, direction, where, below).length === 0;
      });
      if (!fits)
        add(
          direction === "request"
            ? `a form the request accepted (${show(label(branch, i))}) is no longer accepted`
            : `the response can take a form it was not promised (${show(label(branch, i))})`,
        );
    }
    return out;
  }

  const [wideTypes, narrowTypes] =
    direction === "request" ? [types(base), types(head)] : [types(head), types(base)];
  if (narrowTypes && (!wideTypes || [...wideTypes].some((t) => !narrowTypes.has(t))))
    add(
      direction === "request"
        ? `type narrowed from ${show(base.type ?? "any")} to ${show(head.type)}`
        : `type widened from ${show(base.type)} to ${show(head.type ?? "any")}`,
    );
  const [wideValues, narrowValues] =
    direction === "request" ? [values(base), values(head)] : [values(head), values(base)];
  if (narrowValues) {
    const lost = wideValues?.filter((v) => !narrowValues.some((n) => isDeepStrictEqual(n, v)));
    const what = lost ? lost.map(show).join(", ") : "values outside the enum";
    if (!lost || lost.length)
      add(
        direction === "request"
          ? `enum narrowed: ${what} no longer accepted`
          : `enum widened: ${what} may now be answered`,
      );
  }
  if (direction === "request") {
    for (const k of ["format", "pattern"] as const) {
      if (head[k] !== undefined && head[k] !== base[k])
        add(`${k} changed from ${show(base[k] ?? "none")} to ${show(head[k])}`);
    }
    for (const k of LOWER_BOUNDS) {
      const [b, h] = [base[k], head[k]];
      if (typeof h === "number" && (typeof b !== "number" || h > b))
        add(`${k} raised from ${show(b ?? "none")} to ${h}`);
    }
    for (const k of UPPER_BOUNDS) {
      const [b, h] = [base[k], head[k]];
      if (typeof h === "number" && (typeof b !== "number" || h < b))
        add(`${k} lowered from ${show(b ?? "none")} to ${h}`);
    }
  }
  out.push(...compareObjects(base, head, direction, where, recurse));
  if (base.items !== undefined || head.items !== undefined)
    recurse(base.items ?? {}, head.items ?? {}, `${where}[]`);
  return out;
}

/** Names a branch by its $ref when it has one, else by its position. */
function label(branch: unknown, i: number): unknown {
  return asObject(branch).$ref ?? asObject(branch).type ?? `alternative ${i + 1}`;
}

function compareObjects(
  base: Json,
  head: Json,
  direction: Direction,
  where: string,
  recurse: (b: unknown, h: unknown, at: string) => void,
): Change[] {
  const out: Change[] = [];
  const baseProps = asObject(base.properties);
  const headProps = asObject(head.properties);
  const baseRequired = new Set(list(base.required) as string[]);
  const headRequired = new Set(list(head.required) as string[]);
  const at = (name: string) => `${where} › ${name}`;
  if (direction === "request") {
    for (const name of headRequired)
      if (!baseRequired.has(name))
        out.push({ where: at(name), what: "request field newly required" });
    if (
      head.additionalProperties === false &&
      base.additionalProperties !== false &&
      base.type === "object"
    )
      out.push({ where, what: "unknown fields are now refused (additionalProperties: false)" });
    for (const name of Object.keys(baseProps)) {
      if (!(name in headProps)) {
        if (head.additionalProperties === false)
          out.push({ where: at(name), what: "request field removed (it is now refused)" });
      } else recurse(baseProps[name], headProps[name], at(name));
    }
  } else {
    for (const name of Object.keys(baseProps)) {
      if (!(name in headProps)) out.push({ where: at(name), what: "response field removed" });
      else {
        if (baseRequired.has(name) && !headRequired.has(name))
          out.push({ where: at(name), what: "response field no longer always present" });
        recurse(baseProps[name], headProps[name], at(name));
      }
    }
  }
  return out;
}

/** The breaking changes from `base` to `head`, two OpenAPI 3.1 documents. */
export function breakingChanges(base: Json, head: Json): Change[] {
  const docs = { base, head };
  const out: Change[] = [];
  const basePaths = asObject(base.paths);
  const headPaths = asObject(head.paths);
  for (const [path, baseItem] of Object.entries(basePaths)) {
    if (!(path in headPaths)) {
      out.push({ where: path, what: "path removed" });
      continue;
    }
    const b = resolve(base, baseItem);
    const h = resolve(head, headPaths[path]);
    for (const method of METHODS.filter((m) => m in b)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!(method in h)) {
        out.push({ where, what: "operation removed" });
        continue;
      }
      const shared = { base: list(b.parameters), head: list(h.parameters) };
      out.push(...compareOperation(docs, asObject(b[method]), asObject(h[method]), shared, where));
    }
  }
  return out;
}

function compareOperation(
  docs: { base: Json; head: Json },
  base: Json,
  head: Json,
  pathParameters: { base: unknown[]; head: unknown[] },
  where: string,
): Change[] {
  const out = compareSecurity(
    (base.security ?? docs.base.security ?? []) as Json[],
    (head.security ?? docs.head.security ?? []) as Json[],
    where,
  );
  out.push(
    ...compareParameters(
      docs,
      [...pathParameters.base, ...list(base.parameters)],
      [...pathParameters.head, ...list(head.parameters)],
      where,
    ),
  );
  out.push(
    ...compareRequestBody(docs, base.requestBody, head.requestBody, `${where} › request body`),
  );
  const baseResponses = asObject(base.responses);
  const headResponses = asObject(head.responses);
  for (const [status, baseResponse] of Object.entries(baseResponses)) {
    const at = `${where} › ${status}`;
    if (!(status in headResponses)) {
      out.push({ where: at, what: "response status removed" });
      continue;
    }
    const b = resolve(docs.base, baseResponse);
    const h = resolve(docs.head, headResponses[status]);
    for (const name of Object.keys(asObject(b.headers)))
      if (!Object.keys(asObject(h.headers)).some((n) => n.toLowerCase() === name.toLowerCase()))
        out.push({ where: `${at} › header ${name}`, what: "response header removed" });
    out.push(
      ...compareContent(docs, { base: b, head: h }, "response", at, {
        schemaWhere: (type) => `${at} › ${type}`,
        missing: "response media type removed",
      }),
    );
  }
  return out;
}

/** Every media type of the old content must remain, each with a compatible schema. */
function compareContent(
  docs: { base: Json; head: Json },
  sides: { base: Json; head: Json },
  direction: "request" | "response",
  where: string,
  say: { schemaWhere: (type: string) => string; missing: string },
): Change[] {
  const headContent = asObject(sides.head.content);
  return Object.entries(asObject(sides.base.content)).flatMap(([type, media]) =>
    type in headContent
      ? compareSchemas(
          docs,
          asObject(media).schema ?? {},
          asObject(headContent[type]).schema ?? {},
          direction,
          say.schemaWhere(type),
        )
      : [{ where: `${where} › ${type}`, what: say.missing }],
  );
}

/**
 * A request that was authorised must stay so: each way the old operation accepted (a security
 * requirement: schemes and their scopes) must still be accepted by a way needing no more.
 */
function compareSecurity(base: Json[], head: Json[], where: string): Change[] {
  if (head.length === 0 || head.some((h) => Object.keys(h).length === 0)) return [];
  if (base.length === 0 || base.some((b) => Object.keys(b).length === 0))
    return [{ where, what: "authentication newly required" }];
  const covers = (b: Json, h: Json) =>
    Object.entries(h).every(
      ([scheme, scopes]) => scheme in b && list(scopes).every((s) => list(b[scheme]).includes(s)),
    );
  return base.some((b) => !head.some((h) => covers(b, h)))
    ? [{ where, what: `security requirement changed from ${show(base)} to ${show(head)}` }]
    : [];
}

function compareParameters(
  docs: { base: Json; head: Json },
  baseList: unknown[],
  headList: unknown[],
  where: string,
): Change[] {
  const out: Change[] = [];
  const base = baseList.map((p) => resolve(docs.base, p));
  const head = headList.map((p) => resolve(docs.head, p));
  // Header names are case-insensitive; other parameters are not.
  const same = (a: Json, b: Json) =>
    a.in === "header" || b.in === "header"
      ? String(a.name).toLowerCase() === String(b.name).toLowerCase()
      : a.name === b.name;
  for (const p of head) {
    const before = base.find((b) => same(b, p));
    const at = `${where} › ${p.in} parameter ${p.name}`;
    if (before && before.in !== p.in)
      out.push({ where: at, what: `parameter moved from ${before.in} to ${p.in}` });
    else if (p.required === true && before?.required !== true)
      out.push({ where: at, what: before ? "parameter newly required" : "new required parameter" });
  }
  for (const b of base) {
    const after = head.find((p) => same(p, b) && p.in === b.in);
    const at = `${where} › ${b.in} parameter ${b.name}`;
    if (!after) {
      if (!head.some((p) => same(p, b))) out.push({ where: at, what: "parameter removed" });
    } else out.push(...compareSchemas(docs, b.schema ?? {}, after.schema ?? {}, "request", at));
  }
  return out;
}

function compareRequestBody(
  docs: { base: Json; head: Json },
  baseBody: unknown,
  headBody: unknown,
  where: string,
): Change[] {
  if (headBody === undefined) return [];
  const head = resolve(docs.head, headBody);
  if (baseBody === undefined)
    return head.required === true ? [{ where, what: "request body newly required" }] : [];
  const base = resolve(docs.base, baseBody);
  const out: Change[] = [];
  if (head.required === true && base.required !== true)
    out.push({ where, what: "request body newly required" });
  out.push(
    ...compareContent(docs, { base, head }, "request", where, {
      schemaWhere: () => where,
      missing: "request media type no longer accepted",
    }),
  );
  return out;
}

function main(args: string[]): number {
  const accept = args.includes("--accept");
  const files = args.filter((a) => a !== "--accept");
  const root = new URL("../../", import.meta.url);
  const baselinePath =
    files[0] ?? fileURLToPath(new URL("docs/api/openapi.v1.baseline.json", root));
  const currentPath = files[1] ?? fileURLToPath(new URL("docs/api/openapi.v1.json", root));
  const current = JSON.parse(readFileSync(currentPath, "utf8")) as Json;
  if (!existsSync(baselinePath)) {
    if (!accept) return fail(`openapi: no baseline at ${baselinePath}; create it with --accept`);
    writeFileSync(baselinePath, readFileSync(currentPath));
    console.log(`openapi: baseline created: ${baselinePath}`);
    return 0;
  }
  const baseline = JSON.parse(readFileSync(baselinePath, "utf8")) as Json;
  const breaking = breakingChanges(baseline, current);
  if (breaking.length) {
    console.error(
      `openapi: ${breaking.length} breaking changes to API v1 (docs/api-versioning.md):`,
    );
    for (const c of breaking) console.error(`  ${c.where}: ${c.what}`);
    return 1;
  }
  if (isDeepStrictEqual(baseline, current)) {
    console.log("openapi: no change from the baseline");
    return 0;
  }
  if (!accept)
    return fail(
      "openapi: the document changed (nothing breaking) but the baseline lags: run `pnpm openapi:write`",
    );
  writeFileSync(baselinePath, readFileSync(currentPath));
  console.log(`openapi: nothing breaking; baseline moved up to the document: ${baselinePath}`);
  return 0;
}

function fail(message: string): number {
  console.error(message);
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
