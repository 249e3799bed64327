import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type ServiceName, serviceEntry, serviceInstrument } from "./services.js";

export interface SpawnOptions {
  /** The child's whole environment. */
  env: Record<string, string | undefined>;
  /** Its ops port, for the readiness wait. */
  opsPort: number;
  /** Receives each line the service writes (stdout and stderr). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Extra node flags, e.g. `--import` of a preload or `--cpu-prof`. */
  nodeArgs?: string[];
}

/** One service running as its own process. */
export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once /readyz answers 200; rejects if the process exits or time runs out. */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends SIGTERM and waits; SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function spawnService(name: ServiceName, options: SpawnOptions): ServiceProcess {
  // The same command as the service's `start` script: telemetry preloaded, then the service.
  const args = [
    ...(options.nodeArgs ?? []),
    "--enable-source-maps",
    "--import",
    serviceInstrument(name),
    serviceEntry(name),
  ];
  const child = spawn(process.execPath, args, {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of ["stdout", "stderr"] as const) {
    // eslint-disable-next-line security/detect-object-injection -- stream is "stdout" or "stderr", from the literal tuple above
    const lines = createInterface({ input: child[stream] as NodeJS.ReadableStream });
    lines.on("line", (line) => options.onLine?.(line, stream));
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      exitCode = code;
      resolve(code);
    });
  });
  return {
    name,
    child,
    get pid() {
      return child.pid ?? -1;
    },
    exited,
    ready: (timeoutMs = 30_000) =>
      waitReady(options.opsPort, timeoutMs, () => exitCode !== undefined),
    stop: async (timeoutMs = 30_000) => {
      if (exitCode !== undefined) return exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

async function waitReady(port: number, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`the service exited before it was ready (ops port ${port})`);
    try {
      // eslint-disable-next-line @microsoft/sdl/no-insecure-url -- readiness probe of the child's own ops port on loopback, where there is no TLS
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready on ops port ${port} after ${timeoutMs} ms: ${last}`);
}
