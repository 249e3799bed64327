import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarEntries } from "./tar.js";

let dir: string;
let archive: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tar-test-"));
  await mkdir(join(dir, "src", "obs", "processor"), { recursive: true });
  await writeFile(join(dir, "src", "meta.inf"), "{}");
  await writeFile(join(dir, "src", "obs", "processor", "meta.inf"), "x".repeat(700));
  await writeFile(join(dir, "src", `${"long-name-".repeat(12)}.blk`), "y");
  const run = spawnSync("tar", ["-cf", "-", "-C", join(dir, "src"), "."], { maxBuffer: 1 << 20 });
  archive = run.stdout;
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function list(bytes: Buffer): Promise<string[]> {
  const names: string[] = [];
  async function* source() {
    yield bytes;
  }
  for await (const e of tarEntries(source())) if (e.type === "0") names.push(`${e.name}:${e.size}`);
  return names.sort();
}

describe("tar walker", () => {
  it("lists members with their sizes, long names included", async () => {
    expect(await list(archive)).toEqual([
      `./${"long-name-".repeat(12)}.blk:1`,
      "./meta.inf:2",
      "./obs/processor/meta.inf:700",
    ]);
  });

  it("fails on a damaged header or a missing end", async () => {
    const damaged = Buffer.from(archive);
    damaged[5] = (damaged[5] as number) ^ 0x01;
    await expect(list(damaged)).rejects.toThrow(/bad header checksum at byte 0/);
    const end = archive.length - 1024 - 512 * 8; // well before the end-of-archive blocks
    await expect(list(archive.subarray(0, end - (end % 512)))).rejects.toThrow(
      /end marker|data ends/,
    );
  });
});
