/**
 * The software bill of materials (`pnpm sbom`, checked by `pnpm sbom:check`): CycloneDX 1.6 JSON
 * built from pnpm-lock.yaml alone, written to sbom.cdx.json and committed, so a dependency
 * change shows up as an SBOM change in review and the file can be audited out of band (the
 * advisory service is unreachable from CI; docs/security.md).
 *
 * Deterministic by construction: components and edges are sorted, there is no timestamp, and the
 * serialNumber is a UUID v5 of the document's own content, so regenerating from an unchanged
 * lockfile gives the same bytes and any change gives a new serial number.
 *
 * - components: every package of the lockfile's `packages` section, purl `pkg:npm/<name>@<version>`
 *   (a scope written `%40scope/name`), its integrity as a SHA-512 hash in hex, and `scope`
 *   "required" when `pnpm install --prod` installs it (reachable from some workspace package's
 *   `dependencies` or `optionalDependencies`), else "optional" (build and test tools only); plus
 *   each workspace package (from `importers` and its package.json), without a purl, since none
 *   is published.
 * - dependencies: the graph, from `importers` (workspace packages) and `snapshots` (packages).
 *
 * cdxgen was tried first and does run offline, but its output embeds absolute paths, a random
 * serial number, timestamps and facts read from source files, so it cannot be compared in CI.
 *
 * Usage: node scripts/security/sbom.ts [--check]   (--check: compare with sbom.cdx.json, exit 1 if stale)
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";

export interface SbomInput {
  /** The text of pnpm-lock.yaml. */
  lockfile: string;
  /** name and version of each workspace package, by importer path ("." is the root). */
  workspace: Record<string, { name: string; version: string }>;
}

type Entry = Record<string, unknown>;
const isRecord = (value: unknown): value is Entry =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const record = (value: unknown): Entry => (isRecord(value) ? value : {});

const PACKAGE_KEY = /^((?:@[^/@\s]+\/)?[^/@\s]+)@([^@\s]+)$/;
const RUNTIME_FIELDS = ["dependencies", "optionalDependencies"] as const;
const ALL_FIELDS = ["dependencies", "optionalDependencies", "devDependencies"] as const;
// RFC 4122 namespace for URLs; the name hashed under it is this document's own content.
const URL_NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/** `pkg:npm/%40scope/name@1.2.3`: the purl of an npm package (the purl spec's npm rules). */
export function npmPurl(name: string, version: string): string {
  const [scope, bare] = name.startsWith("@") ? name.split("/", 2) : [undefined, name];
  const segment = (s: string) => encodeURIComponent(s);
  const path = scope ? `${segment(scope)}/${segment(bare ?? "")}` : segment(name);
  return `pkg:npm/${path}@${segment(version)}`;
}

/** The hex SHA-512 digest in an SRI integrity string (`sha512-<base64>`), or undefined. */
export function sha512Hex(integrity: unknown): string | undefined {
  const match = /^sha512-([A-Za-z0-9+/]{86}==)$/.exec(String(integrity ?? ""));
  return match?.[1] ? Buffer.from(match[1], "base64").toString("hex") : undefined;
}

/** A name-based UUID, version 5 (SHA-1), as RFC 4122 §4.3 defines it. */
export function uuidV5(name: string, namespace = URL_NAMESPACE): string {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  const bytes = createHash("sha1").update(ns).update(name).digest().subarray(0, 16);
  bytes.writeUInt8(((bytes.readUInt8(6) & 0x0f) | 0x50) >>> 0, 6);
  bytes.writeUInt8(((bytes.readUInt8(8) & 0x3f) | 0x80) >>> 0, 8);
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The key in `packages` a dependency version points at: `name@1.2.3`, or an alias's target. */
function packageKey(name: string, version: string): string | undefined {
  const bare = version.replace(/\(.*$/, "");
  if (bare.startsWith("link:")) return undefined;
  return PACKAGE_KEY.test(bare) ? bare : `${name}@${bare}`;
}

const workspaceRef = (path: string) => `workspace:${path}`;

/** Builds the CycloneDX 1.6 document from the lockfile and the workspace's names and versions. */
export function buildSbom(input: SbomInput): Entry {
  const lock = record(parse(input.lockfile));
  if (String(lock.lockfileVersion) !== "9.0") {
    throw new Error(`pnpm lockfile ${String(lock.lockfileVersion)}: only 9.0 is understood`);
  }
  const packages = record(lock.packages);
  const importers = record(lock.importers);
  const snapshots = record(lock.snapshots);

  // Edges of the graph, by bom-ref. A package's peer variants (several snapshots) share one ref.
  const refOf = new Map<string, string>();
  for (const key of Object.keys(packages)) {
    const match = PACKAGE_KEY.exec(key);
    if (!match?.[1] || !match[2]) throw new Error(`unexpected package key ${key}`);
    refOf.set(key, npmPurl(match[1], match[2]));
  }
  const edges = new Map<string, Set<string>>();
  const runtimeEdges = new Map<string, Set<string>>();
  const addEdge = (graph: Map<string, Set<string>>, from: string, to: string) => {
    const set = graph.get(from) ?? new Set<string>();
    set.add(to);
    graph.set(from, set);
  };
  const depRef = (importer: string, name: string, version: string): string | undefined => {
    if (version.startsWith("link:")) {
      const target = new URL(version.slice(5), `file:///${importer === "." ? "" : `${importer}/`}`);
      return workspaceRef(target.pathname.slice(1).replace(/\/$/, "") || ".");
    }
    const key = packageKey(name, version);
    return key ? refOf.get(key) : undefined;
  };

  for (const [path, manifest] of Object.entries(importers)) {
    for (const field of ALL_FIELDS) {
      for (const [name, dep] of Object.entries(record(record(manifest)[field]))) {
        const ref = depRef(path, name, String(record(dep).version ?? dep));
        if (!ref) throw new Error(`importer ${path}: cannot place ${name}`);
        addEdge(edges, workspaceRef(path), ref);
        if (field !== "devDependencies") addEdge(runtimeEdges, workspaceRef(path), ref);
      }
    }
  }
  for (const [key, snapshot] of Object.entries(snapshots)) {
    const from = refOf.get(key.replace(/\(.*$/, ""));
    if (!from) throw new Error(`snapshot ${key} has no entry in packages`);
    edges.set(from, edges.get(from) ?? new Set());
    for (const field of RUNTIME_FIELDS) {
      for (const [name, version] of Object.entries(record(record(snapshot)[field]))) {
        const to = depRef(".", name, String(version));
        if (!to) throw new Error(`snapshot ${key}: cannot place ${name}@${String(version)}`);
        addEdge(edges, from, to);
        addEdge(runtimeEdges, from, to);
      }
    }
  }

  // What `pnpm install --prod` installs: everything reachable over runtime edges.
  const required = new Set<string>();
  const pending = Object.keys(importers).map(workspaceRef);
  for (let ref = pending.pop(); ref !== undefined; ref = pending.pop()) {
    for (const next of runtimeEdges.get(ref) ?? []) {
      if (!required.has(next)) {
        required.add(next);
        pending.push(next);
      }
    }
  }

  const root = input.workspace["."];
  if (!root) throw new Error("the workspace root (.) has no name and version");
  const components: Entry[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    const match = PACKAGE_KEY.exec(key);
    const ref = refOf.get(key) ?? "";
    const [name = "", version = ""] = [match?.[1], match?.[2]];
    const scoped = name.startsWith("@");
    const hex = sha512Hex(record(record(entry).resolution).integrity);
    components.push({
      type: "library",
      "bom-ref": ref,
      ...(scoped ? { group: name.split("/")[0] } : {}),
      name: scoped ? name.split("/")[1] : name,
      version,
      scope: required.has(ref) ? "required" : "optional",
      ...(hex ? { hashes: [{ alg: "SHA-512", content: hex }] } : {}),
      purl: ref,
    });
  }
  for (const path of Object.keys(importers)) {
    if (path === ".") continue;
    const pkg = input.workspace[path];
    if (!pkg) throw new Error(`workspace package ${path} has no package.json name and version`);
    const ref = workspaceRef(path);
    components.push({
      type: "library",
      "bom-ref": ref,
      group: pkg.name.startsWith("@") ? pkg.name.split("/")[0] : undefined,
      name: pkg.name.startsWith("@") ? pkg.name.split("/")[1] : pkg.name,
      version: pkg.version,
      scope: "required",
      description: `workspace package at ${path}, part of ${root.name}; not published`,
    });
  }
  components.sort((a, b) => String(a["bom-ref"]).localeCompare(String(b["bom-ref"]), "en"));

  const rootRef = workspaceRef(".");
  const dependencies = [...new Set([rootRef, ...components.map((c) => String(c["bom-ref"]))])]
    .sort((a, b) => a.localeCompare(b, "en"))
    .map((ref) => ({
      ref,
      dependsOn: [
        ...(ref === rootRef
          ? new Set([
              ...(edges.get(rootRef) ?? []),
              ...Object.keys(importers)
                .filter((p) => p !== ".")
                .map(workspaceRef),
            ])
          : (edges.get(ref) ?? [])),
      ].sort((a, b) => a.localeCompare(b, "en")),
    }));

  const lockfileSha256 = createHash("sha256").update(input.lockfile).digest("hex");
  const document: Entry = {
    $schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    serialNumber: "",
    version: 1,
    metadata: {
      tools: {
        components: [
          {
            type: "application",
            name: "hookrail-sbom",
            version: "1",
            description: "scripts/security/sbom.ts: CycloneDX from pnpm-lock.yaml",
          },
        ],
      },
      component: {
        type: "application",
        "bom-ref": rootRef,
        name: root.name,
        version: root.version,
        description: "Event-sourced webhook pipeline (the pnpm workspace as a whole)",
      },
      properties: [{ name: "hookrail:pnpm-lock.yaml:sha256", value: lockfileSha256 }],
    },
    components: JSON.parse(JSON.stringify(components)),
    dependencies,
  };
  // The serial number names exactly this content: same lockfile, same serial; any change, a new one.
  document.serialNumber = `urn:uuid:${uuidV5(`hookrail-sbom:${JSON.stringify(document)}`)}`;
  return document;
}

const ROOT = new URL("../../", import.meta.url);
const OUTPUT = new URL("sbom.cdx.json", ROOT);

/** Reads the lockfile and every importer's package.json from the repository. */
export function readWorkspace(root: URL = ROOT): SbomInput {
  const lockfile = readFileSync(new URL("pnpm-lock.yaml", root), "utf8");
  const workspace: SbomInput["workspace"] = {};
  for (const path of Object.keys(record(record(parse(lockfile)).importers))) {
    const file = new URL(`${path === "." ? "" : `${path}/`}package.json`, root);
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    workspace[path] = { name: pkg.name ?? path, version: pkg.version ?? "0.0.0" };
  }
  return { lockfile, workspace };
}

/** The document as committed: JSON, formatted by the repository's Biome so `pnpm lint` agrees. */
export function render(document: Entry, root: URL = ROOT): string {
  const biome = new URL("node_modules/.bin/biome", root);
  const json = `${JSON.stringify(document, null, 2)}\n`;
  if (!existsSync(biome)) return json;
  const formatted = spawnSync(biome.pathname, ["format", "--stdin-file-path=sbom.cdx.json"], {
    cwd: root.pathname,
    input: json,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (formatted.status !== 0) throw new Error(`biome format failed: ${formatted.stderr}`);
  return formatted.stdout;
}

function main(): void {
  const document = buildSbom(readWorkspace());
  const components = (document.components as unknown[]).length;
  if (!process.argv.includes("--check")) {
    writeFileSync(OUTPUT, render(document));
    console.log(`sbom: wrote sbom.cdx.json, ${components} components, ${document.serialNumber}`);
    return;
  }
  const committed = existsSync(OUTPUT) ? (JSON.parse(readFileSync(OUTPUT, "utf8")) as Entry) : {};
  if (isDeepStrictEqual(committed, JSON.parse(JSON.stringify(document)))) {
    console.log(`sbom: sbom.cdx.json is current (${components} components)`);
    return;
  }
  const refs = (d: Entry) =>
    new Set(((d.components as Entry[] | undefined) ?? []).map((c) => String(c["bom-ref"])));
  const [was, now] = [refs(committed), refs(document)];
  const added = [...now].filter((r) => !was.has(r));
  const removed = [...was].filter((r) => !now.has(r));
  console.error("sbom: sbom.cdx.json does not match pnpm-lock.yaml; run `pnpm sbom` and commit it");
  for (const r of added.slice(0, 20)) console.error(`  + ${r}`);
  for (const r of removed.slice(0, 20)) console.error(`  - ${r}`);
  if (added.length + removed.length === 0) console.error("  (same components; fields differ)");
  process.exit(1);
}

if (import.meta.main) main();
