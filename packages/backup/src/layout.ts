import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** Where each part of a backup lives inside its directory. */
export const DUMP_FILE = "postgres.dump";
export const VERIFICATION_FILE = "verification.json";
export const snapshotFileOf = (stream: string) => `jetstream/${stream}/stream.tar.s2`;
export const metadataFileOf = (stream: string) => `jetstream/${stream}/backup.json`;

/** The directory of backup `id`. */
export const backupPath = (backupDir: string, id: string) => join(backupDir, id);

let version: string | undefined;

/** Hookrail's version, recorded in every manifest (this package's version, from src or dist). */
export async function hookrailVersion(): Promise<string> {
  /* eslint-disable security/detect-non-literal-fs-filename -- this package's own package.json, a path fixed relative to the module */
  version ??= (
    JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    }
  ).version;
  /* eslint-enable security/detect-non-literal-fs-filename */
  return version;
}

/** Files of a backup directory that the manifest does not list (itself, and later results). */
export const MANIFEST_EXCLUDED = new Set(["manifest.json", VERIFICATION_FILE]);
