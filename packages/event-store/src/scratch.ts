import { randomBytes } from "node:crypto";
import pg from "pg";
import { ensureDatabase } from "./database.js";

/**
 * Creates a new, empty database on the server of `baseUrl`, named `<prefix>_<random>`, for a
 * test run or a restore check. `drop()` removes it, closing other sessions first.
 */
export async function createScratchDatabase(
  baseUrl: string,
  prefix = "hookrail_scratch",
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  return { url: url.toString(), name, drop: () => dropDatabase(url.toString()) };
}

export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', "")}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
