/**
 * The configuration table of docs/configuration.md, generated from the zod schemas the services
 * parse their environment with (`services/<name>/src/env.ts`, `@hookrail/config`'s commonEnv and
 * `@hookrail/observability`'s TelemetryEnv), so it cannot drift from them. Each variable's text is
 * its schema's `.describe()`; its default and whether it is required come from the schema itself.
 *
 * Usage: `pnpm docs:config` (builds, then writes the table between the markers), or
 * `node scripts/docs/config-table.ts --check` (exit 1 when the committed table differs).
 * tests/docs/config-table.test.ts runs the same rendering on the TypeScript sources.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const START = "<!-- config-table:start -->";
export const END = "<!-- config-table:end -->";
export const DOCUMENT = new URL("../../docs/configuration.md", import.meta.url);

/** The part of a zod 4 schema this script reads (no zod import: the root has no zod). */
export interface SchemaLike {
  readonly description?: string | undefined;
  readonly _zod: {
    readonly def: {
      readonly type: string;
      readonly innerType?: SchemaLike;
      readonly in?: SchemaLike;
      readonly shape?: Record<string, SchemaLike>;
      readonly defaultValue?: unknown;
    };
    /** "optional" or "defaulted" when the key may be absent; undefined when it is required. */
    readonly optin?: string;
  };
}

/** The schemas, however they were loaded (built dist for the CLI, TypeScript source in tests). */
export interface ConfigSchemas {
  commonEnv: Record<string, SchemaLike>;
  services: { name: string; schema: SchemaLike }[];
  telemetry: SchemaLike;
}

export interface Variable {
  name: string;
  default: string | undefined;
  required: boolean;
  description: string | undefined;
}

const def = (s: SchemaLike) => s._zod.def;

/** The object schema under refinements and transforms. */
function shapeOf(schema: SchemaLike): Record<string, SchemaLike> {
  const d = def(schema);
  if (d.type === "object" && d.shape) return d.shape;
  if (d.type === "pipe" && d.in) return shapeOf(d.in);
  throw new Error(`not an object schema: ${d.type}`);
}

/** The default a variable gets when unset, found through pipes and wrappers. */
function defaultOf(schema: SchemaLike): unknown {
  const d = def(schema);
  if (d.type === "default" || d.type === "prefault") return d.defaultValue;
  if (d.type === "pipe" && d.in) return defaultOf(d.in);
  if ((d.type === "optional" || d.type === "nullable") && d.innerType)
    return defaultOf(d.innerType);
  return undefined;
}

function formatDefault(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? "(empty)" : value.join(",");
  return String(value);
}

export function variablesOf(schema: SchemaLike | Record<string, SchemaLike>): Variable[] {
  const shape = "_zod" in schema ? shapeOf(schema as SchemaLike) : schema;
  return Object.entries(shape).map(([name, s]) => ({
    name,
    default: formatDefault(defaultOf(s)),
    required: s._zod.optin === undefined,
    description: s.description?.trim() || undefined,
  }));
}

/** Markdown-safe table cell: no pipes or line breaks. */
const cell = (text: string) => text.replaceAll("|", "\\|").replace(/\s+/g, " ").trim();
const code = (text: string) => `\`${text}\``;

function table(variables: readonly Variable[]): string {
  const rows = variables.map((v) =>
    [
      code(v.name),
      v.default === undefined ? "—" : code(v.default),
      v.required ? "yes" : "no",
      cell(v.description ?? ""),
    ].join(" | "),
  );
  return [
    "| variable | default | required | description |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r} |`),
  ].join("\n");
}

/** Every section of the table: common variables, each service's own, then telemetry. */
export function sections(schemas: ConfigSchemas): { title: string; variables: Variable[] }[] {
  const common = variablesOf(schemas.commonEnv);
  const commonNames = new Set(common.map((v) => v.name));
  const out = [{ title: "Every service (`@hookrail/config`)", variables: common }];
  for (const { name, schema } of schemas.services) {
    const own = variablesOf(schema).filter((v) => !commonNames.has(v.name));
    out.push({ title: `${name} (\`services/${name}/src/env.ts\`)`, variables: own });
  }
  const serviceNames = new Set(out.flatMap((s) => s.variables.map((v) => v.name)));
  const telemetry = variablesOf(schemas.telemetry).filter((v) => !serviceNames.has(v.name));
  out.push({
    title: "Telemetry, every service (`packages/observability/src/env.ts`)",
    variables: telemetry,
  });
  return out;
}

/** The generated block, markers included. */
export function renderConfigTable(schemas: ConfigSchemas): string {
  const body = sections(schemas)
    .map((s) => `### ${s.title}\n\n${table(s.variables)}`)
    .join("\n\n");
  return `${START}\n\n<!-- generated by \`pnpm docs:config\` from the zod schemas; do not edit by hand -->\n\n${body}\n\n${END}`;
}

/** The document with its block replaced; throws when the markers are missing. */
export function replaceBlock(document: string, block: string): string {
  const start = document.indexOf(START);
  const end = document.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${START} … ${END} not found`);
  return document.slice(0, start) + block + document.slice(end + END.length);
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Formats Markdown as `biome check` wants it (aligned tables), so the generated file passes lint. */
export function formatMarkdown(text: string): string {
  const biome = spawnSync(
    `${ROOT}node_modules/.bin/biome`,
    ["format", "--stdin-file-path=docs/configuration.md"],
    { input: text, encoding: "utf8", cwd: ROOT },
  );
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`);
  return biome.stdout.endsWith("\n") ? biome.stdout : `${biome.stdout}\n`;
}

/** docs/configuration.md as it should be: the given document with a fresh, formatted table. */
export function expectedDocument(document: string, schemas: ConfigSchemas): string {
  return formatMarkdown(replaceBlock(document, renderConfigTable(schemas)));
}

/** Loads the schemas from the built packages and services (`pnpm build` first). */
async function loadBuilt(): Promise<ConfigSchemas> {
  const load = (path: string) => import(new URL(`../../${path}`, import.meta.url).href);
  const services = [
    ["gateway", "GatewayEnv"],
    ["processor", "ProcessorEnv"],
    ["notifier", "NotifierEnv"],
    ["backup-agent", "BackupAgentEnv"],
  ] as const;
  return {
    commonEnv: (await load("packages/config/dist/index.js")).commonEnv,
    services: await Promise.all(
      services.map(async ([name, exported]) => ({
        name,
        schema: (await load(`services/${name}/dist/env.js`))[exported],
      })),
    ),
    telemetry: (await load("packages/observability/dist/env.js")).TelemetryEnv,
  };
}

async function main(): Promise<void> {
  const document = readFileSync(DOCUMENT, "utf8");
  const expected = expectedDocument(document, await loadBuilt());
  if (process.argv.includes("--check")) {
    if (expected !== document) {
      console.error("docs/configuration.md is out of date: run `pnpm docs:config`");
      process.exit(1);
    }
    console.log("docs/configuration.md is current");
    return;
  }
  writeFileSync(DOCUMENT, expected);
  console.log("docs/configuration.md: configuration table written");
}

if (import.meta.main) await main();
