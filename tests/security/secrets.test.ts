import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The secret scan (`pnpm security:secrets`): it must find keys (so it is not a check that cannot
// fail), and the repository must have none. The keys below are made at run time, so this file
// holds none itself.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "node_modules/.bin/secretlint");
const CONFIG = join(ROOT, "scripts/security/secretlintrc.cjs");
const IGNORE = join(ROOT, "scripts/security/secretlintignore");
const dir = mkdtempSync(join(tmpdir(), "secretlint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scan = (cwd: string, pattern: string) =>
  spawnSync(BIN, ["--secretlintrc", CONFIG, "--secretlintignore", IGNORE, "--no-color", pattern], {
    cwd,
    encoding: "utf8",
  });
const alnum = (n: number) =>
  randomBytes(n * 2)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, n);

describe("secret scanning", () => {
  it.each([
    ["a GitHub token", () => `token = "ghp_${alnum(36)}"`, /GITHUB_TOKEN/],
    [
      "a Hookrail API key",
      () => `HOOKRAIL_KEY=hr_${randomBytes(32).toString("base64url")}`,
      /HOOKRAIL_API_KEY/,
    ],
    [
      "a webhook signing secret",
      () => `secret: whsec_${randomBytes(32).toString("base64")}`,
      /WEBHOOK_SIGNING_SECRET/,
    ],
    [
      "a secrets encryption key",
      () => `SECRETS_ENCRYPTION_KEYS=v1:${randomBytes(32).toString("base64")}`,
      /SECRETS_ENCRYPTION_KEY/,
    ],
    [
      "a private key",
      () =>
        generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
          type: "pkcs1",
          format: "pem",
        }) as string,
      /PrivateKey/,
    ],
    [
      "credentials in a database URL",
      () => `DATABASE_URL=postgres://admin:${alnum(20)}@db.internal:5432/hookrail`,
      /BASICAUTH|DATABASE|CREDENTIAL|PASSWORD|URL/i,
    ],
  ])("finds %s", (_what, make, expected) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.env`);
    writeFileSync(file, `${make()}\n`);
    const run = scan(dir, file);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(expected);
  });

  it("finds nothing in the repository (tests' fixture keys are allowed by name)", () => {
    const run = scan(ROOT, "**/*");
    expect(run.stdout.trim()).toBe("");
    expect(run.status, run.stderr).toBe(0);
  });

  it("allows only fixtures that still exist, each by its exact value", async () => {
    const config = (await import(CONFIG)).default as {
      rules: { options?: { allows?: string[] } }[];
    };
    const allows = config.rules.flatMap((r) => r.options?.allows ?? []);
    const fixtures = [
      "packages/signatures/src/standard-webhooks.test.ts",
      "packages/signatures/src/sign.test.ts",
      "packages/delivery/src/guarded-lookup.test.ts",
      "packages/delivery/src/test-support/requests.ts",
    ].map((f) => readFileSync(join(ROOT, f), "utf8"));
    for (const value of allows) {
      expect(value).not.toMatch(/[*?[\]]/);
      expect(
        fixtures.some((text) => text.includes(value)),
        `${value} is allowed but used nowhere`,
      ).toBe(true);
    }
  });
});
