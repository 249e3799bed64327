// The security lint gate: `pnpm lint:security`. ESLint runs ONLY security rules here; Biome
// stays the formatter and the linter for everything else, so nothing below is about style.
//
// Scope: the code that ships, packages/*/src and services/*/src. Tests and test support are left
// out: they never run in production, read no untrusted input, and write to temp dirs on purpose.
//
// Zero findings is the bar (`--max-warnings=0`, every rule an error). A line that must stay as it
// is carries `// eslint-disable-next-line security/<rule> -- <why it is safe>`; an exception
// without a reason, or one that no longer suppresses anything, fails the gate too.
import { createRequire, registerHooks } from "node:module";

const require = createRequire(import.meta.url);

// typescript-eslint's parser needs the classic TypeScript compiler API (`ts.createSourceFile`),
// which TypeScript 7 (the Go port the workspace builds with) no longer ships in its npm package.
// Inside this ESLint process only, `typescript` therefore means the classic 6.0 release installed
// under the alias `typescript-classic`. Parsing is syntax-only (no type information), and 6.0
// reads the same syntax as 7.0. Registered before the parser is first required below.
const classicTypeScript = new URL(`file://${require.resolve("typescript-classic")}`).href;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === "typescript") {
      return { url: classicTypeScript, format: "commonjs", shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
});

const tsParser = require("@typescript-eslint/parser");
const security = require("eslint-plugin-security");
const sdl = require("@microsoft/eslint-plugin-sdl");

/** Every rule of a config at severity "error", so a finding can never pass as a warning. */
const asErrors = (rules) => Object.fromEntries(Object.keys(rules).map((name) => [name, "error"]));

// From Microsoft's SDL plugin, only the sets that fit a Node HTTP service: "common" (eval and
// friends, insecure URLs) and "node" (deprecated Node APIs, Buffer.allocUnsafe), plus the
// pseudo-random check, which none of its configs turns on. Its angular, angularjs, electron and
// react sets target browser frameworks Hookrail does not use.
const sdlRules = Object.assign(
  {},
  ...[...sdl.configs.common, ...sdl.configs.node].map((config) => config.rules ?? {}),
  { "@microsoft/sdl/no-insecure-random": "error" },
);
const sdlPlugins = Object.assign(
  {},
  ...[...sdl.configs.common, ...sdl.configs.node].map((config) => config.plugins ?? {}),
);

export default [
  {
    name: "hookrail/security-scope",
    ignores: ["**/dist/**", "**/node_modules/**", "**/*.test.ts", "**/test-support/**"],
  },
  {
    name: "hookrail/security",
    files: ["packages/*/src/**/*.ts", "services/*/src/**/*.ts"],
    languageOptions: {
      parser: tsParser,
      ecmaVersion: "latest",
      sourceType: "module",
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { security, ...sdlPlugins },
    rules: {
      ...asErrors(security.configs.recommended.rules),
      ...asErrors(sdlRules),
    },
  },
];
