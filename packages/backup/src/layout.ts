import { readFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { BackupPathError } from "./errors.js";

/** Where each part of a backup lives inside its directory. */
export const DUMP_FILE = "postgres.dump";
export const VERIFICATION_FILE = "verification.json";
export const snapshotFileOf = (stream: string) => `jetstream/${stream}/stream.tar.s2`;
export const metadataFileOf = (stream: string) => `jetstream/${stream}/backup.json`;

/** The directory of backup `id`. */
export const backupPath = (backupDir: string, id: string) => join(backupDir, id);

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Why `path` cannot name a file of a backup, or undefined when it can. A manifest path is
 * relative to its backup directory, `/`-separated, made of segments of `A-Za-z0-9_.-` that are
 * neither `.` nor `..`: nothing absolute, no backslash, no NUL (F-11).
 */
export function backupPathProblem(path: string): string | undefined {
  if (path.length === 0) return "it is empty";
  if (path.includes("\0")) return "it holds a NUL character";
  if (path.includes("\\")) return "it holds a backslash (manifest paths are /-separated)";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "it is absolute";
  const segments = path.split("/");
  if (segments.includes("..")) return "it holds a .. segment";
  if (segments.some((s) => s === "" || s === ".")) return "it holds an empty or . segment";
  if (!segments.every((s) => SEGMENT.test(s)))
    return "it holds a character outside A-Z a-z 0-9 _ . - /";
  return undefined;
}

/**
 * The one door from a manifest path to the file system: the absolute path of `path` inside
 * backup directory `dir`. Throws {@link BackupPathError} unless `resolve(dir, path)` stays under
 * `dir` and `path` is a plain relative path ({@link backupPathProblem}), so a tampered or
 * copied-in manifest cannot make verify or restore read anything outside its backup.
 */
export function fileInBackup(dir: string, path: string): string {
  const root = resolve(dir);
  const full = resolve(root, path);
  if (!full.startsWith(root.endsWith(sep) ? root : root + sep))
    throw new BackupPathError(path, "it resolves outside the backup directory");
  const problem = backupPathProblem(path);
  if (problem) throw new BackupPathError(path, problem);
  return full;
}

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
