#!/usr/bin/env node
// Entry of `pnpm bench`. Builds the services first (turbo makes this a cache hit when nothing
// changed), then runs the TypeScript runner with Node's own type stripping. Workspace packages
// resolve to their built dist, the code the services run; the hook lets the runner's .ts files
// import each other with the `.js` suffix TypeScript wants, which Node does not rewrite.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { registerHooks } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
if (process.env.HOOKRAIL_SKIP_BUILD !== "1") {
  process.stderr.write("bench: building (cached when unchanged)…\n");
  const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (build.status !== 0) {
    process.stderr.write("bench: build failed\n");
    process.exit(build.status ?? 1);
  }
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (
      specifier.startsWith(".") &&
      specifier.endsWith(".js") &&
      context.parentURL?.endsWith(".ts")
    ) {
      const ts = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
      if (existsSync(fileURLToPath(ts))) return nextResolve(ts.href, context);
    }
    return nextResolve(specifier, context);
  },
});
await import("./bench.ts");
