import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// scripts/security/audit.sh with a fake `pnpm` first on PATH: where the advisory service does
// not answer it says "advisory scan unavailable" and exits 0 without claiming a pass; where it
// answers, the report decides the exit code.

const SCRIPT = fileURLToPath(new URL("../../scripts/security/audit.sh", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "fake-pnpm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runWith(output: string, exitCode: number) {
  const bin = mkdtempSync(join(dir, "bin-"));
  writeFileSync(join(bin, "out.txt"), output);
  writeFileSync(
    join(bin, "pnpm"),
    `#!/usr/bin/env bash\n[ "$1" = audit ] || exit 99\ncat "${join(bin, "out.txt")}"\nexit ${exitCode}\n`,
  );
  chmodSync(join(bin, "pnpm"), 0o755);
  const run = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

const report = (advisories: Record<string, unknown>, vulnerabilities: Record<string, number>) =>
  JSON.stringify({
    actions: [],
    advisories,
    muted: [],
    metadata: { vulnerabilities, dependencies: 607 },
  });
const NONE = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };

describe("the advisory scan", () => {
  it.each([
    [
      "the registry answers 405 (these machines)",
      JSON.stringify({
        error: {
          code: "ERR_PNPM_AUDIT_BAD_RESPONSE",
          message:
            "The audit endpoint (at https://registry.npmjs.org/-/npm/v1/security/audits/quick) responded with 405: .",
        },
      }),
      1,
      /ERR_PNPM_AUDIT_BAD_RESPONSE.*405/,
    ],
    [
      "DNS fails",
      JSON.stringify({
        error: {
          code: "ERR_PNPM_AUDIT_ENDPOINT_FAILED",
          message:
            "request to https://registry.npmjs.org failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org",
        },
      }),
      1,
      /ENOTFOUND/,
    ],
    [
      "pnpm prints no report at all",
      "Segmentation fault",
      139,
      /exited 139 without a report: Segmentation fault/,
    ],
  ])("reports 'unavailable', not a pass, when %s", (_case, output, code, reason) => {
    const run = runWith(output, code);
    expect(run.status).toBe(0);
    expect(run.out).toMatch(/^advisory scan unavailable: /m);
    expect(run.out).toMatch(reason);
    expect(run.out).toMatch(/not a pass/);
    expect(run.out).not.toMatch(/no advisory at moderate/);
  });

  it("fails when the service answers with a moderate-or-worse advisory", () => {
    const advisory = {
      module_name: "left-pad",
      severity: "high",
      title: "Prototype pollution",
      url: "https://github.com/advisories/GHSA-xxxx",
      vulnerable_versions: "<1.3.1",
    };
    const run = runWith(report({ 1: advisory }, { ...NONE, high: 1 }), 1);
    expect(run.status).toBe(1);
    expect(run.out).toMatch(/high: left-pad <1\.3\.1 — Prototype pollution/);
    expect(run.out).not.toMatch(/unavailable/);
  });

  it("passes when the service answers with nothing at moderate or above", () => {
    const run = runWith(report({}, { ...NONE, low: 2 }), 0);
    expect(run.status).toBe(0);
    expect(run.out).toMatch(/advisory scan: no advisory at moderate or above \(all: 0 info, 2 low/);
  });
});
