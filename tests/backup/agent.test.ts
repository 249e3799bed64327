import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchDatabase } from "@hookrail/event-store";
import { REPO_ROOT } from "@hookrail/launcher";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/ports.js";
import { parsePrometheusText } from "../support/prometheus-text.js";
import { eventually } from "../support/subscriber.js";
import { type OwnNats, startOwnNats } from "./support/nats-server.js";

// The agent as a process: it backs up at once when BACKUP_DIR holds no good backup, verifies
// it, and reports on its ops port under the names the BackupStale and BackupVerifyFailed alerts
// read.

const PG_BASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
let nats: OwnNats;
let storeDir: string;
let backupDir: string;
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let agent: ChildProcess;
let opsPort: number;
const output: string[] = [];
const prefix = `agent${Date.now().toString(36)}`;
let firstSuccess = 0;

beforeAll(async () => {
  storeDir = await mkdtemp(join(tmpdir(), "hookrail-agent-nats-"));
  backupDir = await mkdtemp(join(tmpdir(), "hookrail-agent-backups-"));
  nats = await startOwnNats(await freePort(), storeDir);
  scratch = await createScratchDatabase(PG_BASE_URL, "hookrail_agent");
  opsPort = await freePort();
  agent = startAgent();
}, 60_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    agent.kill("SIGKILL");
    await new Promise((r) => agent.once("exit", r));
  }
  await nats?.kill();
  await scratch?.drop();
  await rm(storeDir, { recursive: true, force: true });
  await rm(backupDir, { recursive: true, force: true });
});

function startAgent(): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--enable-source-maps",
      "--import",
      `${REPO_ROOT}/services/backup-agent/dist/instrument.js`,
      `${REPO_ROOT}/services/backup-agent/dist/main.js`,
    ],
    {
      env: {
        PATH: process.env.PATH ?? "",
        NATS_URL: nats.url,
        NATS_PREFIX: prefix,
        DATABASE_URL: scratch.url,
        BACKUP_DIR: backupDir,
        BACKUP_INTERVAL: "1h",
        BACKUP_VERIFY_LEVEL: "3",
        METRICS_PORT: String(opsPort),
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  output.length = 0;
  for (const stream of [child.stdout, child.stderr])
    stream?.setEncoding("utf8").on("data", (s: string) => output.push(s));
  return child;
}

async function metrics() {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
  return parsePrometheusText(await res.text());
}

const value = (
  m: Awaited<ReturnType<typeof metrics>>,
  name: string,
  labels: Record<string, string> = {},
) =>
  m.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

describe("backup agent", () => {
  it("takes and verifies a backup at start, and reports it on the ops port", {
    timeout: 60_000,
  }, async () => {
    await eventually(
      async () => {
        try {
          return value(await metrics(), "hookrail_backup_last_verification_ok") === 1;
        } catch {
          return false;
        }
      },
      `the first verified backup (agent output: ${output.join("").slice(-2000)})`,
      45_000,
    );
    const m = await metrics();
    const lastSuccess = value(m, "hookrail_backup_last_success_timestamp") ?? 0;
    expect(Date.now() / 1000 - lastSuccess).toBeLessThan(60);
    firstSuccess = lastSuccess;
    expect(m.types.get("hookrail_backup_last_success_timestamp")).toBe("gauge");
    expect(m.types.get("hookrail_backup_last_verification_ok")).toBe("gauge");
    expect(m.types.get("hookrail_backup_duration")).toBe("histogram");
    expect(value(m, "hookrail_backup_duration_count", { phase: "backup" })).toBe(1);
    expect(value(m, "hookrail_backup_duration_count", { phase: "verify" })).toBe(1);
    expect(value(m, "hookrail_backup_size")).toBeGreaterThan(1000);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(ready.status).toBe(200);
    const dirs = (await readdir(backupDir)).filter((d) => !d.startsWith("."));
    expect(dirs).toHaveLength(1);
    expect(output.join("")).toContain("next backup planned");
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((r) => agent.once("exit", (code) => r(code)));
    agent.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("after a restart, reports the backups it finds and waits for the next one", {
    timeout: 60_000,
  }, async () => {
    agent = startAgent();
    await eventually(async () => {
      try {
        return value(await metrics(), "hookrail_backup_last_verification_ok") === 1;
      } catch {
        return false;
      }
    }, "the agent to report the existing backup");
    const m = await metrics();
    expect(value(m, "hookrail_backup_last_success_timestamp")).toBe(firstSuccess);
    expect(value(m, "hookrail_backup_duration_count", { phase: "backup" })).toBeUndefined();
    await eventually(
      () => output.join("").includes("next backup planned"),
      "the next backup planned",
    );
    const planned = /"at":"([^"]+)","msg":"next backup planned"/.exec(output.join(""))?.[1] ?? "";
    expect(Date.parse(planned) - firstSuccess * 1000).toBeGreaterThan(3_500_000);
    expect((await readdir(backupDir)).filter((d) => !d.startsWith("."))).toHaveLength(1);
  });
});
