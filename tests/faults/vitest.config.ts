import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { scale } from "./support/scale.js";

// The fault-injection suite: `pnpm test:faults`. Its cases are `*.fault.ts`, so `pnpm test`
// (which runs `*.test.ts`) never picks them up. They run one at a time: each starts its own
// nats-server(s), Postgres and services, and a two-core machine has no room for two at once.
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  resolve: { conditions: ["@hookrail/source"] },
  ssr: { resolve: { conditions: ["@hookrail/source"] } },
  test: {
    include: ["tests/faults/cases/**/*.fault.ts"],
    globalSetup: ["tests/faults/global-setup.ts"],
    setupFiles: ["tests/faults/support/setup.ts"],
    fileParallelism: false,
    sequence: { shuffle: false },
    testTimeout: scale.caseTimeoutMs,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
