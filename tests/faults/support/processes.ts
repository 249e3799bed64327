import { type ChildProcess, execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgetDir, forgetPid, rememberDir, rememberPid } from "./leftovers.js";

// Every process the suite starts is remembered by its own pid until it is gone (leftovers.ts):
// a case that fails half-way, or a test process that dies, leaves nothing running, and nothing
// that belongs to someone else is ever touched.

/** Remembers a daemon this suite started (not its child, e.g. the postmaster), until `forgetDaemon`. */
export const trackDaemon = (pid: number) => rememberPid(pid);
export const forgetDaemon = (pid: number) => forgetPid(pid);

/** Remembers `child` until it exits, so it is killed if the test process ends first. */
export function track(child: ChildProcess): ChildProcess {
  const pid = child.pid;
  rememberPid(pid);
  child.once("exit", () => forgetPid(pid));
  return child;
}

/** Sends `signal` to `pid`, ignoring a process that is already gone. */
export function killQuietly(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid || pid <= 0) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** SIGKILLs a child (waking it first if it was stopped) and waits until it has exited. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killQuietly(child.pid, "SIGCONT");
  killQuietly(child.pid, "SIGKILL");
  await exited;
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(
  file: string,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
    track(child);
  });
}

/** A new directory under the OS temp dir, removed by the teardown it is registered with. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hookrail-faults-${prefix}-`));
  rememberDir(dir);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  forgetDir(dir);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Polls `condition` every `everyMs` until it holds; false when `timeoutMs` runs out first. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return true;
    } catch {
      // not yet
    }
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * Things to undo at the end of a case, undone in reverse order even when the case failed; a
 * failing step does not stop the others.
 */
export class Teardown {
  readonly #steps: Array<{ name: string; undo: () => Promise<void> | void }> = [];

  add(name: string, undo: () => Promise<void> | void): void {
    this.#steps.push({ name, undo });
  }

  async run(): Promise<void> {
    const errors: string[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.undo();
      } catch (error) {
        errors.push(`${step.name}: ${(error as Error).message}`);
      }
    }
    if (errors.length > 0) throw new Error(`teardown failed:\n${errors.join("\n")}`);
  }
}

/** A case's clock: `at(ms)` waits until `ms` after it was made; `now()` is the time since. */
export function timeline(): { at: (ms: number) => Promise<void>; now: () => number } {
  const start = Date.now();
  return { at: (ms) => sleep(start + ms - Date.now()), now: () => Date.now() - start };
}
