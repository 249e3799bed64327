import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkLockfile } from "../../scripts/security/lockfile-policy.js";

// The lockfile policy must be able to fail: each kind of bad entry is shown failing, by the
// function and by the command CI runs, and the real lockfile is shown passing.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(ROOT, "scripts/security/lockfile-policy.ts");
const GOOD_INTEGRITY = `sha512-${Buffer.alloc(64, 1).toString("base64")}`;
const dir = mkdtempSync(join(tmpdir(), "lockfile-policy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small, valid v9 lockfile; `resolution` replaces left-pad's resolution. */
function lockfile(
  resolution = `{integrity: ${GOOD_INTEGRITY}}`,
  options: { key?: string; importVersion?: string; link?: string; version?: string } = {},
) {
  const key = options.key ?? "left-pad@1.3.0";
  return `lockfileVersion: '${options.version ?? "9.0"}'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      left-pad:
        specifier: 1.3.0
        version: ${options.importVersion ?? "1.3.0"}

  packages/app:
    dependencies:
      '@acme/lib':
        specifier: workspace:*
        version: ${options.link ?? "link:../lib"}

  packages/lib: {}

packages:

  '${key}':
    resolution: ${resolution}

snapshots:

  '${key}': {}
`;
}

const problems = (text: string) =>
  checkLockfile(text).violations.map((v) => `${v.where}: ${v.problem}`);

function cli(text: string) {
  const file = join(dir, `lock-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return spawnSync(process.execPath, [SCRIPT, file], { encoding: "utf8" });
}

describe("lockfile policy", () => {
  it("passes a lockfile of registry packages with sha512 hashes and workspace links", () => {
    expect(problems(lockfile())).toEqual([]);
    expect(
      problems(
        lockfile(
          `{integrity: ${GOOD_INTEGRITY}, tarball: https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz}`,
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    [
      "an http tarball",
      `{integrity: ${GOOD_INTEGRITY}, tarball: http://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz}`,
      /fetched over http/,
    ],
    [
      "a tarball on another host",
      `{integrity: ${GOOD_INTEGRITY}, tarball: https://evil.example/left-pad-1.3.0.tgz}`,
      /on evil\.example/,
    ],
    [
      "a look-alike registry host",
      `{integrity: ${GOOD_INTEGRITY}, tarball: https://registry.npmjs.org.evil.example/left-pad/-/left-pad-1.3.0.tgz}`,
      /not registry\.npmjs\.org/,
    ],
    [
      "a registry URL with credentials",
      `{integrity: ${GOOD_INTEGRITY}, tarball: 'https://u:p@registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz'}`,
      /not registry\.npmjs\.org/,
    ],
    [
      "another package's tarball path",
      `{integrity: ${GOOD_INTEGRITY}, tarball: https://registry.npmjs.org/evil/-/evil-1.0.0.tgz}`,
      /not the registry's path/,
    ],
    [
      "a missing integrity",
      "{tarball: https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz}",
      /no integrity/,
    ],
    ["a sha1 integrity", "{integrity: sha1-IF3wF6Vm3GF0ns0qrZG4MrxDr1Y=}", /not one sha512/],
    ["a truncated sha512", "{integrity: sha512-AAAA}", /not one sha512/],
    [
      "a git source",
      "{commit: 0123456789abcdef0123456789abcdef01234567, repo: https://github.com/acme/left-pad.git, type: git}",
      /git source/,
    ],
    [
      "a GitHub codeload tarball",
      "{tarball: https://codeload.github.com/acme/left-pad/tar.gz/0123456}",
      /codeload\.github\.com/,
    ],
    ["a local directory", "{directory: ../left-pad, type: directory}", /directory source/],
    ["no resolution at all", "null", /no resolution/],
  ])("fails on %s", (_what, resolution, expected) => {
    const found = problems(lockfile(resolution));
    expect(found.join("\n")).toMatch(expected);
    const run = cli(lockfile(resolution));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(expected);
  });

  it("fails on a package whose version is a URL or a git reference", () => {
    const key = "left-pad@https://codeload.github.com/acme/left-pad/tar.gz/0123456";
    expect(
      problems(
        lockfile(`{integrity: ${GOOD_INTEGRITY}}`, {
          key,
          importVersion: key.split("@").slice(1).join("@"),
        }),
      ).join("\n"),
    ).toMatch(/not a registry version/);
  });

  it("fails on a file: dependency and on a link out of the workspace", () => {
    expect(problems(lockfile(undefined, { importVersion: "file:../left-pad" })).join("\n")).toMatch(
      /not from the registry/,
    );
    expect(problems(lockfile(undefined, { link: "link:../../../outside" })).join("\n")).toMatch(
      /outside the workspace/,
    );
    expect(problems(lockfile(undefined, { link: "link:../missing" })).join("\n")).toMatch(
      /not a workspace package/,
    );
  });

  it("refuses a lockfile format it does not understand, and an empty one", () => {
    expect(problems(lockfile(undefined, { version: "6.0" })).join("\n")).toMatch(
      /understands lockfile 9\.0 only/,
    );
    expect(problems("{{{ not yaml").join("\n")).toMatch(/not valid YAML/);
    const empty = cli("lockfileVersion: '9.0'\nimporters: {}\n");
    expect(empty.status).toBe(1);
  });

  it("passes the repository's own pnpm-lock.yaml", () => {
    const report = checkLockfile(readFileSync(join(ROOT, "pnpm-lock.yaml"), "utf8"));
    expect(report.violations).toEqual([]);
    expect(report.packages).toBeGreaterThan(100);
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    console.log(run.stdout.trim());
  });
});
