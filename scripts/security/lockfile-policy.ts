/**
 * The lockfile policy (`pnpm security:lockfile`): every package in pnpm-lock.yaml must come from
 * the npm registry over https and carry a sha512 integrity hash, and the only other kind of
 * dependency allowed is a `link:` to a package of this workspace. Anything else (a git or GitHub
 * source, a tarball on another host or over http, a local directory or file, a missing or weak
 * hash) fails with the entry named.
 *
 * Why not lockfile-lint: it cannot read pnpm's lockfile, and on one it prints "no issues", a check
 * that cannot fail. This one parses lockfile v9 itself and refuses any other version, so a format
 * change fails loudly instead of passing quietly. tests/security/lockfile-policy.test.ts shows it
 * failing on each kind of bad entry.
 *
 * Usage: node scripts/security/lockfile-policy.ts [path/to/pnpm-lock.yaml]
 */
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const REGISTRY_HOST = "registry.npmjs.org";

export interface Violation {
  /** The lockfile entry, e.g. `packages › left-pad@1.3.0`. */
  where: string;
  problem: string;
}

export interface PolicyReport {
  packages: number;
  links: number;
  violations: Violation[];
}

// Strict semver: a registry package has exactly this as its version; git, tarball and file
// sources are recorded with a URL or path there instead.
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const PACKAGE_KEY = /^((?:@[^/@\s]+\/)?[^/@\s]+)@(.+)$/;
// A SHA-512 digest is 64 bytes: 86 base64 characters and "==".
const SHA512 = /^sha512-[A-Za-z0-9+/]{86}==$/;
const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "optionalDependencies"] as const;

type Entry = Record<string, unknown>;
const isRecord = (value: unknown): value is Entry =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Checks the text of a pnpm lockfile against the policy; never throws on bad content. */
export function checkLockfile(text: string): PolicyReport {
  const violations: Violation[] = [];
  const flag = (where: string, problem: string) => violations.push({ where, problem });
  let lock: unknown;
  try {
    lock = parse(text);
  } catch (error) {
    flag("pnpm-lock.yaml", `is not valid YAML: ${(error as Error).message}`);
    return { packages: 0, links: 0, violations };
  }
  if (!isRecord(lock) || String(lock.lockfileVersion) !== "9.0") {
    const version = isRecord(lock) ? String(lock.lockfileVersion) : "none";
    flag("lockfileVersion", `is ${version}; this check understands lockfile 9.0 only`);
    return { packages: 0, links: 0, violations };
  }
  const packages = isRecord(lock.packages) ? lock.packages : {};
  const importers = isRecord(lock.importers) ? lock.importers : {};
  for (const [key, entry] of Object.entries(packages)) {
    for (const problem of packageProblems(key, entry)) flag(`packages › ${key}`, problem);
  }
  let links = 0;
  for (const [importer, manifest] of Object.entries(importers)) {
    if (!isRecord(manifest)) continue;
    for (const field of DEPENDENCY_FIELDS) {
      const deps = manifest[field];
      if (!isRecord(deps)) continue;
      for (const [name, dep] of Object.entries(deps)) {
        const version = isRecord(dep) ? String(dep.version ?? "") : String(dep);
        const where = `importers › ${importer} › ${field} › ${name}`;
        if (version.startsWith("link:")) {
          links += 1;
          const problem = linkProblem(importer, version.slice("link:".length), importers);
          if (problem) flag(where, problem);
          continue;
        }
        const problem = importProblem(name, version, packages);
        if (problem) flag(where, problem);
      }
    }
  }
  const snapshots = isRecord(lock.snapshots) ? lock.snapshots : {};
  for (const key of Object.keys(snapshots)) {
    const base = key.replace(/\(.*$/, "");
    if (!Object.hasOwn(packages, base)) {
      flag(`snapshots › ${key}`, "has no entry in packages, so nothing records where it is from");
    }
  }
  return { packages: Object.keys(packages).length, links, violations };
}

function packageProblems(key: string, entry: unknown): string[] {
  const problems: string[] = [];
  const match = PACKAGE_KEY.exec(key);
  const [name, version] = match ? [match[1] ?? "", match[2] ?? ""] : ["", ""];
  if (!SEMVER.test(version)) {
    problems.push(
      `version ${JSON.stringify(version)} is not a registry version (git, URL or file)`,
    );
  }
  const resolution = isRecord(entry) ? entry.resolution : undefined;
  if (!isRecord(resolution)) return [...problems, "has no resolution"];
  for (const field of ["type", "repo", "commit", "directory", "path"]) {
    if (field in resolution) {
      problems.push(
        `resolves from a ${String(resolution.type ?? field)} source, not the registry (${field}: ${String(resolution[field])})`,
      );
    }
  }
  if (resolution.tarball !== undefined) {
    const problem = tarballProblem(String(resolution.tarball), name);
    if (problem) problems.push(problem);
  }
  const integrity = resolution.integrity;
  if (integrity === undefined) problems.push("has no integrity hash");
  else if (!SHA512.test(String(integrity))) {
    problems.push(`integrity ${String(integrity).slice(0, 16)}… is not one sha512 hash`);
  }
  return problems;
}

/** An explicit tarball is fine only as https on the registry host, under the package's path. */
function tarballProblem(tarball: string, name: string): string | undefined {
  let url: URL;
  try {
    url = new URL(tarball);
  } catch {
    return `tarball ${JSON.stringify(tarball)} is not an absolute URL`;
  }
  if (url.protocol !== "https:") return `tarball is fetched over ${url.protocol.slice(0, -1)}`;
  if (url.hostname !== REGISTRY_HOST || url.port !== "" || url.username || url.password) {
    return `tarball is on ${url.host}, not ${REGISTRY_HOST}`;
  }
  if (!url.pathname.startsWith(`/${name}/-/`)) {
    return `tarball path ${url.pathname} is not the registry's path for ${name}`;
  }
  return undefined;
}

/** A `link:` must point at another importer of this workspace, never outside it. */
function linkProblem(importer: string, target: string, importers: Entry): string | undefined {
  const resolved = posix.normalize(posix.join(importer, target));
  if (resolved.startsWith("..") || posix.isAbsolute(target)) {
    return `links outside the workspace (${target})`;
  }
  if (!Object.hasOwn(importers, resolved)) {
    return `links to ${resolved}, which is not a workspace package`;
  }
  return undefined;
}

/** A direct dependency must be a registry version (or an npm alias of one) listed in packages. */
function importProblem(name: string, version: string, packages: Entry): string | undefined {
  const bare = version.replace(/\(.*$/, "");
  // An npm alias (`typescript-classic: npm:typescript@6.0.3`) is recorded as `typescript@6.0.3`.
  const key = SEMVER.test(bare) ? `${name}@${bare}` : bare;
  const match = PACKAGE_KEY.exec(key);
  if (!match || !SEMVER.test(match[2] ?? "")) {
    return `version ${JSON.stringify(version)} is not from the registry (git, URL or file)`;
  }
  if (!Object.hasOwn(packages, key)) return `${key} has no entry in packages`;
  return undefined;
}

function main(): void {
  const path = process.argv[2] ?? fileURLToPath(new URL("../../pnpm-lock.yaml", import.meta.url));
  const report = checkLockfile(readFileSync(path, "utf8"));
  if (report.violations.length > 0) {
    console.error(`lockfile policy: ${report.violations.length} violation(s) in ${path}`);
    for (const v of report.violations) console.error(`  ${v.where}: ${v.problem}`);
    process.exit(1);
  }
  if (report.packages === 0) {
    console.error(`lockfile policy: ${path} lists no packages; refusing to call that a pass`);
    process.exit(1);
  }
  console.log(
    `lockfile policy: ${report.packages} packages, all from https://${REGISTRY_HOST} with sha512 integrity; ${report.links} workspace links`,
  );
}

if (import.meta.main) main();
