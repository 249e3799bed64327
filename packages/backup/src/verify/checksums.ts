import { digestFile, sizeOf } from "../files.js";
import { fileInBackup } from "../layout.js";
import type { Manifest } from "../manifest.js";
import type { Checks } from "./report.js";

/** Level 1: every file the manifest lists is there, with its size and sha256. */
export async function verifyChecksums(dir: string, manifest: Manifest, checks: Checks) {
  for (const f of manifest.files) {
    const path = fileInBackup(dir, f.path);
    const size = await sizeOf(path);
    if (size === undefined) {
      checks.failed(`file ${f.path}`, `${f.path} is missing`);
      continue;
    }
    if (size !== f.bytes) {
      checks.failed(
        `file ${f.path}`,
        `${f.path} has ${size} bytes, the manifest says ${f.bytes} (truncated or appended to)`,
      );
      continue;
    }
    const { sha256 } = await digestFile(path);
    checks.expect(
      `file ${f.path}`,
      sha256 === f.sha256,
      sha256 === f.sha256
        ? `${f.bytes} bytes, sha256 matches`
        : `${f.path} sha256 is ${sha256}, the manifest says ${f.sha256} (the content changed)`,
    );
  }
}
