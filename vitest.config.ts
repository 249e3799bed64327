import { defineConfig } from "vitest/config";

// One runner for the repo. Packages are resolved to their TypeScript source through the
// "@hookrail/source" export condition, so tests never need a build of their dependencies;
// end-to-end tests start the built services as real processes.
export default defineConfig({
  resolve: { conditions: ["@hookrail/source"] },
  ssr: { resolve: { conditions: ["@hookrail/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "services/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
