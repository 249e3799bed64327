#!/usr/bin/env node
// Entry of `pnpm start` and the operator commands. Builds first (turbo makes this a cache hit
// when nothing changed), so a fresh clone runs with `pnpm install && pnpm start`.
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
if (process.env.HOOKRAIL_SKIP_BUILD !== "1") {
  process.stderr.write("hookrail: building (cached when unchanged)…\n");
  const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (build.status !== 0) {
    process.stderr.write("hookrail: build failed\n");
    process.exit(build.status ?? 1);
  }
}
const { main } = await import("../dist/cli.js");
process.exitCode = await main(process.argv.slice(2));
