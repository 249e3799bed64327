import { spawn } from "node:child_process";
import { join } from "node:path";
import { childEnvironment } from "./env.js";
import { BackupError } from "./errors.js";

/** Where the external programs are; the defaults find them on PATH. */
export interface ToolPaths {
  /** Directory of pg_dump and pg_restore (e.g. /usr/lib/postgresql/15/bin); PATH when unset. */
  pgBinDir?: string;
  /** The nats-server binary used for level-3 verification. */
  natsServerBin: string;
}

export const pgTool = (tools: ToolPaths, name: "pg_dump" | "pg_restore"): string =>
  tools.pgBinDir ? join(tools.pgBinDir, name) : name;

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const KEEP = 64 * 1024;

/** Runs a program to completion; never throws for a non-zero exit (the caller judges). */
export function runTool(
  file: string,
  args: readonly string[],
  options: { env?: Record<string, string> } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: childEnvironment(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    // Keep the end of stderr: the reason for a failure is printed last.
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr = (stderr + s).slice(-KEEP);
    });
    child.once("error", (error) =>
      reject(new BackupError(`cannot run ${file}: ${error.message}`, { cause: error })),
    );
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first line of `<tool> --version`, e.g. "pg_dump (PostgreSQL) 15.20". */
export async function toolVersion(file: string): Promise<string> {
  const run = await runTool(file, ["--version"]);
  if (run.code !== 0) throw new BackupError(`${file} --version failed: ${run.stderr.trim()}`);
  return run.stdout.split("\n")[0]?.trim() ?? "";
}

/**
 * A libpq connection for a child process: the URL without its password (so it does not show
 * in the process list), and the password in PGPASSWORD.
 */
export function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { dbname: u.toString(), env: password ? { PGPASSWORD: password } : {} };
}

/** The last line of a program's stderr, the one that usually says why it failed. */
export function lastLines(text: string, n = 3): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}
