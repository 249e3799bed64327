import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * The release a process reports: `<version>+<git sha>`, from the repository's package.json and
 * the commit checked out (or GIT_SHA where there is no git, as in a container image).
 */
export function defaultRelease(gitSha?: string): string {
  let version = "0.0.0";
  try {
    version =
      (JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as { version?: string })
        .version ?? version;
  } catch {
    // Not in a checkout: the version stays unknown, the sha may still tell.
  }
  return `${version}+${gitSha ?? gitHead() ?? "unknown"}`;
}

function gitHead(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 2000,
    })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}
