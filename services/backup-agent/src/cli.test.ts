import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServer, type ScratchNats, startScratchNats } from "@hookrail/backup";
import { topology } from "@hookrail/contracts";
import { createScratchDatabase, migrate, openDatabase } from "@hookrail/event-store";
import { connectNats, declareTopology } from "@hookrail/messaging";
import { createLogger } from "@hookrail/observability";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "./cli.js";

// The CLI against its own nats-server and a scratch database: exit codes, stdout and stderr.

const PG_BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
let nats: ScratchNats;
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let env: Record<string, string>;
let backupDir: string;

beforeAll(async () => {
  nats = await startScratchNats(findNatsServer());
  scratch = await createScratchDatabase(PG_BASE_URL, "hookrail_test_cli");
  const store = openDatabase({ url: scratch.url, poolSize: 1 });
  await migrate(store.db);
  await store.close();
  const nc = await connectNats({
    servers: [nats.url],
    name: "cli-test",
    logger: createLogger({ service: "test", level: "silent" }),
  });
  await declareTopology(nc, topology("clitest"));
  await nc.close();
  backupDir = await mkdtemp(join(tmpdir(), "hookrail-cli-"));
  env = {
    NATS_URL: nats.url,
    NATS_PREFIX: "clitest",
    DATABASE_URL: scratch.url,
    BACKUP_DIR: backupDir,
    BACKUP_VERIFY_LEVEL: "2",
  };
}, 60_000);
afterAll(async () => {
  await nats?.stop();
  await scratch?.drop();
  await rm(backupDir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    env,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

describe("backup CLI", () => {
  let id: string;

  it("run: takes and verifies a backup, progress on stderr, the report on stdout", async () => {
    const r = await cli("run", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, verify: { ok: true, level: 2 } });
    id = report.id;
    expect(r.stderr).toMatch(/\[\s*\d+\.\d s\] backup \S+: started/);
    expect(r.stderr).toMatch(/verify \S+: level 2, structure/);
  });

  it("list: shows the backup, complete and verified", async () => {
    const r = await cli("list");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^${id.replace(".", "\\.")}\\s+complete\\s+[\\d.]+ MB\\s+L2 ok`),
    );
  });

  it("verify: exit 0 with every check listed; exit 1 with the reason for a missing backup", async () => {
    const good = await cli("verify", id, "--level", "1");
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok\s+manifest/m);
    expect(good.stdout).toMatch(new RegExp(`^verified: ${id.replace(".", "\\.")} at level 1`, "m"));
    const missing = await cli("verify", "20990101T000000.000Z-abcd");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("FAILED: manifest: manifest.json is missing");
  });

  it("restore: refuses existing streams without --force (exit 1), restores with it (exit 0)", async () => {
    const refused = await cli("restore", id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /CLITEST_DELIVERIES, CLITEST_WEBHOOKS already exist; pass --force/,
    );
    const forced = await cli("restore", id, "--force");
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /^restored \S+ into database hookrail_test_cli_\w+ in [\d.]+ s; start the services/,
    );
    expect(forced.stderr).toMatch(/restore \S+: postgres into postgres:\/\//);
  });

  it("usage and configuration errors: exit 2 and 78, with the reason", async () => {
    expect((await cli("verify")).code).toBe(2);
    expect((await cli("verify", id, "--level", "7")).stderr).toContain("level must be 1-3, got 7");
    expect((await cli("frobnicate")).code).toBe(2);
    expect((await cli("run", "--bogus")).code).toBe(2);
    env.BACKUP_KEEP_DAILY = "many";
    const bad = await cli("list");
    delete env.BACKUP_KEEP_DAILY;
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/BACKUP_KEEP_DAILY: .*\(got "many"\)/);
  });
});
