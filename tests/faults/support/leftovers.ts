import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * What the suite has started and not yet cleaned up, by pid and by directory, so that nothing
 * outlives the test process. A case's teardown removes it all; if the process exits first, an
 * exit handler does; and if it is killed outright (a CI timeout's SIGKILL runs no handler), a
 * detached reaper that watches it does, from the list this module keeps on disk.
 */
const pids = new Set<number>();
const dirs = new Set<string>();
const listFile = join(tmpdir(), `hookrail-faults-leftovers-${process.pid}`);
let reaperStarted = false;

// Waits for the test process to go, then kills each listed pid and removes each listed dir.
const REAPER = `
while kill -0 "$1" 2>/dev/null; do sleep 1; done
[ -f "$2" ] || exit 0
while read -r kind value; do
  case "$kind" in
    pid) kill -CONT "$value" 2>/dev/null; kill -KILL "$value" 2>/dev/null ;;
    dir) rm -rf -- "$value" ;;
  esac
done < "$2"
rm -f -- "$2"
`;

function save(): void {
  const lines = [...[...pids].map((p) => `pid ${p}`), ...[...dirs].map((d) => `dir ${d}`)];
  writeFileSync(listFile, lines.length > 0 ? `${lines.join("\n")}\n` : "");
  if (!reaperStarted && lines.length > 0) {
    reaperStarted = true;
    spawn("sh", ["-c", REAPER, "hookrail-faults-reaper", String(process.pid), listFile], {
      detached: true,
      stdio: "ignore",
    }).unref();
  }
}

export function rememberPid(pid: number | undefined): void {
  if (!pid || pid <= 0) return;
  pids.add(pid);
  save();
}

export function forgetPid(pid: number | undefined): void {
  if (pid && pids.delete(pid)) save();
}

export function rememberDir(dir: string): void {
  dirs.add(dir);
  save();
}

export function forgetDir(dir: string): void {
  if (dirs.delete(dir)) save();
}

process.once("exit", () => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  rmSync(listFile, { force: true });
});
