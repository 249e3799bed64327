#!/usr/bin/env node
// Entry of `pnpm backup …`. Builds first (turbo makes this a cache hit when nothing changed),
// unless HOOKRAIL_SKIP_BUILD=1 (in an image, or a test that has built already).
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
if (process.env.HOOKRAIL_SKIP_BUILD !== "1") {
  const build = spawnSync(
    "pnpm",
    [
      "exec",
      "turbo",
      "run",
      "build",
      "--filter=@hookrail/backup-agent...",
      "--output-logs=errors-only",
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (build.status !== 0) {
    process.stderr.write("backup: build failed\n");
    process.exit(build.status ?? 1);
  }
}
const { main } = await import("../dist/cli.js");
process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
