/**
 * Writes docs/api/openapi.v1.json from the gateway's code (`pnpm openapi:write`, which builds the
 * gateway first): the document the gateway serves at /api/v1/openapi.json, without a server.
 * The contract test (tests/contract/openapi.test.ts) fails while the committed file and the served
 * document differ, so a route or schema change cannot land without its document.
 *
 * Formatted by the repository's biome, as sbom.ts does, so `pnpm lint` leaves the file alone.
 *
 * Usage: node scripts/api/openapi-write.ts [output]   (default docs/api/openapi.v1.json)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
const built = new URL("services/gateway/dist/openapi.js", root);
const output = process.argv[2] ?? fileURLToPath(new URL("docs/api/openapi.v1.json", root));

/** The JSON text of a document, formatted as biome formats JSON files here. */
export function render(document: unknown): string {
  const json = `${JSON.stringify(document, null, 2)}\n`;
  const biome = new URL("node_modules/.bin/biome", root);
  if (!existsSync(biome)) return json;
  const formatted = spawnSync(
    fileURLToPath(biome),
    ["format", "--stdin-file-path=openapi.v1.json"],
    {
      input: json,
      encoding: "utf8",
      cwd: fileURLToPath(root),
    },
  );
  if (formatted.status !== 0) throw new Error(`biome format failed: ${formatted.stderr}`);
  return formatted.stdout;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(built)) {
    console.error(
      "openapi: services/gateway/dist is missing: run `pnpm openapi:write` (it builds)",
    );
    process.exit(1);
  }
  const { openApiDocument } = (await import(built.href)) as { openApiDocument: () => unknown };
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, render(openApiDocument()));
  console.log(`openapi: wrote ${output}`);
}
