import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  buildSbom,
  npmPurl,
  readWorkspace,
  sha512Hex,
  uuidV5,
} from "../../scripts/security/sbom.js";

// The SBOM generator: purls, hashes, scopes and the graph on a small lockfile; determinism; and
// invariants on the repository's own lockfile. CI compares the committed file (`pnpm sbom:check`).

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const sha = (byte: number) => `sha512-${Buffer.alloc(64, byte).toString("base64")}`;

const LOCKFILE = `lockfileVersion: '9.0'

importers:

  .:
    devDependencies:
      typescript-classic:
        specifier: npm:typescript@6.0.3
        version: typescript@6.0.3

  services/api:
    dependencies:
      '@acme/core':
        specifier: workspace:*
        version: link:../../packages/core
      express:
        specifier: 5.0.0
        version: 5.0.0
    devDependencies:
      vitest:
        specifier: 1.0.0
        version: 1.0.0(@types/node@24.0.0)

  packages/core:
    dependencies:
      '@scope/util':
        specifier: 2.0.0
        version: 2.0.0

packages:

  '@scope/util@2.0.0':
    resolution: {integrity: ${sha(1)}}

  '@types/node@24.0.0':
    resolution: {integrity: ${sha(2)}}

  express@5.0.0:
    resolution: {integrity: ${sha(3)}}

  ms@2.1.3:
    resolution: {integrity: ${sha(4)}}

  typescript@6.0.3:
    resolution: {integrity: ${sha(5)}}

  vitest@1.0.0:
    resolution: {integrity: ${sha(6)}}

snapshots:

  '@scope/util@2.0.0': {}

  '@types/node@24.0.0': {}

  express@5.0.0:
    dependencies:
      ms: 2.1.3

  ms@2.1.3: {}

  typescript@6.0.3: {}

  vitest@1.0.0(@types/node@24.0.0):
    dependencies:
      '@types/node': 24.0.0
`;
const WORKSPACE = {
  ".": { name: "acme", version: "1.0.0" },
  "services/api": { name: "@acme/api", version: "1.0.0" },
  "packages/core": { name: "@acme/core", version: "0.1.0" },
};

type Component = {
  "bom-ref": string;
  purl?: string;
  scope: string;
  hashes?: { alg: string; content: string }[];
};
type Bom = {
  serialNumber: string;
  specVersion: string;
  bomFormat: string;
  components: Component[];
  dependencies: { ref: string; dependsOn: string[] }[];
  metadata: { component: { name: string } };
};
const build = (lockfile = LOCKFILE) =>
  buildSbom({ lockfile, workspace: WORKSPACE }) as unknown as Bom;

describe("sbom", () => {
  it("writes purls the npm way, scoped names with %40", () => {
    expect(npmPurl("left-pad", "1.3.0")).toBe("pkg:npm/left-pad@1.3.0");
    expect(npmPurl("@types/node", "24.0.0")).toBe("pkg:npm/%40types/node@24.0.0");
    expect(npmPurl("@scope/pkg", "1.0.0-beta.1+b")).toBe("pkg:npm/%40scope/pkg@1.0.0-beta.1%2Bb");
  });

  it("turns an SRI sha512 into hex, and refuses anything else", () => {
    expect(sha512Hex(sha(1))).toBe("01".repeat(64));
    expect(sha512Hex("sha1-AAAA")).toBeUndefined();
    expect(sha512Hex(undefined)).toBeUndefined();
  });

  it("makes RFC 4122 version-5 UUIDs", () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
    expect(uuidV5("python.org", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "886313e1-3b8a-5372-9b90-0c9aee199e5d",
    );
  });

  it("lists every package with its hash, and scopes by what pnpm install --prod installs", () => {
    const bom = build();
    expect(bom.bomFormat).toBe("CycloneDX");
    expect(bom.specVersion).toBe("1.6");
    expect(bom.metadata.component.name).toBe("acme");
    const byRef = new Map(bom.components.map((c) => [c["bom-ref"], c]));
    expect(byRef.get("pkg:npm/%40scope/util@2.0.0")?.scope).toBe("required");
    expect(byRef.get("pkg:npm/express@5.0.0")?.scope).toBe("required");
    expect(byRef.get("pkg:npm/ms@2.1.3")?.scope).toBe("required");
    expect(byRef.get("pkg:npm/vitest@1.0.0")?.scope).toBe("optional");
    expect(byRef.get("pkg:npm/%40types/node@24.0.0")?.scope).toBe("optional");
    expect(byRef.get("pkg:npm/typescript@6.0.3")?.scope).toBe("optional");
    expect(byRef.get("pkg:npm/express@5.0.0")?.hashes).toEqual([
      { alg: "SHA-512", content: "03".repeat(64) },
    ]);
    expect(byRef.get("workspace:packages/core")?.purl).toBeUndefined();
  });

  it("records the dependency graph, workspace links included", () => {
    const deps = new Map(build().dependencies.map((d) => [d.ref, d.dependsOn]));
    expect(deps.get("workspace:services/api")).toEqual([
      "pkg:npm/express@5.0.0",
      "pkg:npm/vitest@1.0.0",
      "workspace:packages/core",
    ]);
    expect(deps.get("workspace:packages/core")).toEqual(["pkg:npm/%40scope/util@2.0.0"]);
    expect(deps.get("pkg:npm/express@5.0.0")).toEqual(["pkg:npm/ms@2.1.3"]);
    expect(deps.get("pkg:npm/vitest@1.0.0")).toEqual(["pkg:npm/%40types/node@24.0.0"]);
    expect(deps.get("workspace:.")).toContain("pkg:npm/typescript@6.0.3");
    expect(deps.get("workspace:.")).toContain("workspace:services/api");
  });

  it("is deterministic, and any change of the lockfile gives a new serial number", () => {
    const [a, b] = [build(), build()];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const changed = build(
      LOCKFILE.replace("ms@2.1.3:\n    resolution", "ms@2.1.3:\n    resolution").replace(
        sha(4),
        sha(9),
      ),
    );
    expect(changed.serialNumber).not.toBe(a.serialNumber);
  });

  it("covers the repository's lockfile: every package, every edge to a listed component", () => {
    const input = readWorkspace();
    const bom = buildSbom(input) as unknown as Bom;
    const lock = parse(input.lockfile) as {
      packages: Record<string, unknown>;
      importers: Record<string, unknown>;
    };
    const refs = new Set(bom.components.map((c) => c["bom-ref"]));
    expect(bom.components.filter((c) => c.purl)).toHaveLength(Object.keys(lock.packages).length);
    expect(bom.components.filter((c) => c.purl && !c.hashes)).toEqual([]);
    for (const d of bom.dependencies)
      for (const to of d.dependsOn)
        expect(refs.has(to) || to === "workspace:.", `${d.ref} → ${to}`).toBe(true);
    const required = bom.components.filter((c) => c.scope === "required").length;
    console.log(
      `sbom: ${bom.components.length} components (${required} required at run time), ${bom.dependencies.length} dependency entries`,
    );
  });

  it("runs as the CI check (pnpm sbom:check) and says whether the committed file is current", () => {
    const run = spawnSync(process.execPath, ["scripts/security/sbom.ts", "--check"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.stdout + run.stderr).toMatch(/sbom\.cdx\.json (is current|does not match)/);
  });
});
