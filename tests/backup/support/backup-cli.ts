import { spawn } from "node:child_process";
import { REPO_ROOT } from "@hookrail/launcher";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `pnpm backup …` the way an operator does (the built CLI, without the build step). */
export function backupCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [`${REPO_ROOT}/services/backup-agent/bin/backup.mjs`, ...args],
      {
        env: { PATH: process.env.PATH ?? "", HOOKRAIL_SKIP_BUILD: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}
