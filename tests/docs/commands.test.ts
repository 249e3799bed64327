import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signAs } from "@hookrail/signatures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient } from "../support/api.js";
import { type Cluster, startCluster } from "../support/cluster.js";
import { scrape, sumMetric } from "../support/prometheus-text.js";
import { eventually, startSubscriber } from "../support/subscriber.js";
import { type CodeBlock, codeBlocks, filesUnder, ROOT, read, SHELL_LANGS } from "./support.js";

// Every shell block (```sh, ```bash, ```shell, ```console) of README.md and docs/**/*.md is run
// here, against the four services started on free ports, or is marked, on the line before it,
// as not runnable here and why:
//
//   <!-- docs-test: docker-only -->              needs Docker (the compose cluster)
//   <!-- docs-test: skip reason=<why> -->        destructive, long, or a server that never ends
//   <!-- docs-test: expect=<regex> exit=<n> -->  run, and the output must match / the exit code be n
//
// A block runs in bash (`set -eu`) from the repository root. The documented addresses are
// rewritten to the started services: the gateway's 8080, the ops ports 9464–9467, the README's
// subscriber on 9999, the admin key `dev-admin-key-change-me` and the database
// postgres://postgres@127.0.0.1:5432/hookrail. `API` and `KEY` are set, as the guides assume.
// A ```console block runs its `$ ` lines; every other line of it must appear in the output.

export type Plan =
  | { kind: "docker-only" }
  | { kind: "skip"; reason: string }
  | { kind: "run"; expects: RegExp[]; exit: number }
  | { kind: "invalid"; problem: string };

/** What a block's marker asks for; no marker: run it, expecting exit 0. */
export function plan(marker: string | undefined): Plan {
  if (marker === undefined) return { kind: "run", expects: [], exit: 0 };
  if (marker === "docker-only") return { kind: "docker-only" };
  const skip = /^skip reason=(.+)$/.exec(marker);
  if (skip) return { kind: "skip", reason: (skip[1] ?? "").trim() };
  if (marker.startsWith("skip")) return { kind: "invalid", problem: "skip needs reason=<why>" };
  const expects: RegExp[] = [];
  let exit = 0;
  for (const token of marker.split(/\s+/)) {
    const [key, ...rest] = token.split("=");
    const value = rest.join("=");
    if (key === "expect" && value) expects.push(new RegExp(value, "m"));
    else if (key === "exit" && /^\d+$/.test(value)) exit = Number(value);
    else return { kind: "invalid", problem: `unknown marker ${JSON.stringify(token)}` };
  }
  return { kind: "run", expects, exit };
}

export interface DocBlock extends CodeBlock {
  file: string;
}

/** Blocks in documents this test does not own, until their owners mark them (see the report). */
const MARKERS_OWED: Record<string, Plan> = {};
const owedKey = (b: DocBlock) =>
  `${b.file} › ${(b.body.split("\n").find((l) => l.trim()) ?? "").replace(/\s+#.*$/, "").trim()}`;

export function shellBlocks(files: readonly string[]): DocBlock[] {
  return files.flatMap((file) =>
    codeBlocks(read(file))
      .filter((b) => SHELL_LANGS.has(b.lang))
      .map((b) => ({ ...b, file })),
  );
}

export function planOf(block: DocBlock): Plan {
  const owed = MARKERS_OWED[owedKey(block)];
  return block.marker === undefined && owed ? owed : plan(block.marker);
}

export interface Target {
  gateway: string;
  ops: Record<string, number>;
  subscriberPort: number;
  adminKey: string;
  databaseUrl: string;
}

/** The block as it runs here: documented addresses rewritten to the started services. */
export function rewrite(script: string, t: Target): string {
  const gatewayPort = new URL(t.gateway).port;
  return script
    .replaceAll("postgres://postgres@127.0.0.1:5432/hookrail", t.databaseUrl)
    .replaceAll("dev-admin-key-change-me", t.adminKey)
    .replace(/\b8080\b/g, gatewayPort)
    .replace(/\b9464\b/g, String(t.ops.gateway))
    .replace(/\b9465\b/g, String(t.ops.processor))
    .replace(/\b9466\b/g, String(t.ops.notifier))
    .replace(/\b9467\b/g, String(t.ops["backup-agent"]))
    .replace(/\b9999\b/g, String(t.subscriberPort));
}

export interface Run {
  status: number | null;
  output: string;
  problems: string[];
}

/**
 * Runs a block and says what is wrong with the result (nothing when it did as documented).
 * Asynchronously: the subscriber the blocks deliver to lives in this process.
 */
export async function runBlock(
  block: Pick<CodeBlock, "lang" | "body">,
  expected: { expects: RegExp[]; exit: number },
  env: Record<string, string | undefined>,
  target?: Target,
): Promise<Run> {
  const lines = block.body.split("\n");
  const isConsole = block.lang === "console";
  const script = isConsole
    ? lines
        .filter((l) => l.startsWith("$ "))
        .map((l) => l.slice(2))
        .join("\n")
    : block.body;
  const child = spawn("bash", ["-c", `set -eu\n${target ? rewrite(script, target) : script}`], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (output += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (output += s));
  const [status, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once("close", (code, sig) => resolve([code, sig])),
  );
  const problems: string[] = [];
  if (status !== expected.exit)
    problems.push(`exit ${status ?? signal} (expected ${expected.exit})`);
  for (const re of expected.expects) if (!re.test(output)) problems.push(`no match for ${re}`);
  if (isConsole)
    for (const line of lines.filter((l) => l.trim() && !l.startsWith("$ ")))
      if (!output.includes(line.trim()))
        problems.push(`output lacks ${JSON.stringify(line.trim())}`);
  return { status, output, problems };
}

const FILES = ["README.md", ...filesUnder("docs", [".md"])];
const blocks = shellBlocks(FILES);
const toRun = blocks.filter((b) => planOf(b).kind === "run");
const where = (b: DocBlock) => `${b.file}:${b.line}`;

describe("every shell block of the docs", () => {
  it("is found: README.md and docs/ have some", () => {
    expect(blocks.length).toBeGreaterThan(20);
    expect(toRun.length).toBeGreaterThan(10);
  });

  it.each(blocks.map((b) => [where(b), b] as const))(
    "%s is run here, or marked with why not",
    (_where, block) => {
      const p = planOf(block);
      expect(p.kind, p.kind === "invalid" ? p.problem : "").not.toBe("invalid");
      if (p.kind === "skip") expect(p.reason.length).toBeGreaterThan(10);
      // Docker-only: the compose cluster's commands, or its addresses (Jaeger, Prometheus, …).
      if (p.kind === "docker-only")
        expect(block.body).toMatch(/\bdocker\b|localhost:(16686|9090|9093|3000|8222)\b/);
    },
  );

  it("keeps no MARKERS_OWED entry for a block that no longer exists", () => {
    const keys = new Set(blocks.map(owedKey));
    for (const key of Object.keys(MARKERS_OWED)) expect(keys, key).toContain(key);
  });
});

describe("the shell blocks, run against started services", () => {
  let cluster: Cluster;
  let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
  let env: Record<string, string | undefined>;
  let target: Target;
  const backupDir = mkdtempSync(join(tmpdir(), "hookrail-docs-backups-"));

  beforeAll(async () => {
    subscriber = await startSubscriber();
    cluster = await startCluster({
      services: ["gateway", "processor", "notifier", "backup-agent"],
      env: { BACKUP_DIR: backupDir, BACKUP_VERIFY_LEVEL: "1", BACKUP_INTERVAL: "1h" },
    });
    target = {
      gateway: cluster.gatewayUrl,
      ops: cluster.opsPorts,
      subscriberPort: Number(new URL(subscriber.url).port),
      adminKey: cluster.adminKey,
      databaseUrl: cluster.databaseUrl,
    };
    env = {
      ...process.env,
      API: cluster.gatewayUrl,
      KEY: cluster.adminKey,
      DATABASE_URL: cluster.databaseUrl,
      NATS_URL: cluster.env.NATS_URL,
      NATS_PREFIX: cluster.prefix,
      BACKUP_DIR: backupDir,
      HOOKRAIL_SKIP_BUILD: "1", // `pnpm test` has built
      LOG_LEVEL: "warn",
    };
    // The agent's first backup, taken at start, done (its snapshot of the streams is not racing
    // the blocks, and `pnpm backup list` has one to show).
    await eventually(async () => {
      const m = await scrape(`http://127.0.0.1:${cluster.opsPorts["backup-agent"]}/metrics`);
      return sumMetric(m, "hookrail_backup_last_success_timestamp") > 0;
    }, "the backup agent's first backup");
    // Traffic first, so the series the guides grep for exist: one accepted webhook, one refused.
    const api = apiClient(cluster.gatewayUrl, cluster.adminKey);
    const source = await api.post<{ id: string }>("/api/v1/sources", {
      name: "docs warm-up",
      provider: "github",
      secret: "warm-up-secret",
    });
    for (const secret of ["warm-up-secret", "not-the-secret"]) {
      const body = '{"action":"opened"}';
      const headers = signAs("github", {
        body,
        secret,
        now: new Date(),
        deliveryId: randomUUID(),
        eventType: "push",
      });
      await api.call("POST", `/api/v1/webhooks/${source.body.id}`, { body, headers });
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
    await subscriber?.close();
    rmSync(backupDir, { recursive: true, force: true });
  });

  it.each(toRun.map((b) => [where(b), b] as const))("%s", async (_where, block) => {
    const p = planOf(block);
    if (p.kind !== "run") throw new Error("not a block to run");
    const run = await runBlock(block, p, env, target);
    expect(run.problems, run.output.slice(-3000)).toEqual([]);
  });
});

describe("the docs test can fail", () => {
  const env = { ...process.env };
  it("on a command that fails, output that does not match, a console line not printed", async () => {
    expect(
      (await runBlock({ lang: "sh", body: "exit 3" }, { expects: [], exit: 0 }, env)).problems,
    ).toEqual(["exit 3 (expected 0)"]);
    expect(
      (await runBlock({ lang: "sh", body: "echo 404" }, { expects: [/^202$/m], exit: 0 }, env))
        .problems,
    ).toEqual(["no match for /^202$/m"]);
    expect(
      (
        await runBlock(
          { lang: "console", body: "$ echo hello\nhello\nworld" },
          { expects: [], exit: 0 },
          env,
        )
      ).problems,
    ).toEqual(['output lacks "world"']);
  });

  it("on a marker it does not know, or a skip without a reason", () => {
    expect(plan("skip").kind).toBe("invalid");
    expect(plan("docker only").kind).toBe("invalid");
    expect(plan("expect=^x$ exit=2")).toMatchObject({ kind: "run", exit: 2 });
    expect(plan(undefined)).toMatchObject({ kind: "run", exit: 0 });
  });

  it("finds a marker only on the line just before a block", () => {
    const [marked, unmarked] = codeBlocks(
      "<!-- docs-test: docker-only -->\n\n```sh\ndocker ps\n```\n\ntext\n\n```sh\nls\n```\n",
    );
    expect(marked?.marker).toBe("docker-only");
    expect(unmarked?.marker).toBeUndefined();
  });
});
