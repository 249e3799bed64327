import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackupError } from "../errors.js";

/** A throwaway nats-server with JetStream on a spare loopback port and its own store. */
export interface ScratchNats {
  url: string;
  storeDir: string;
  /** Stops the server and deletes its store. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** Starts a scratch nats-server for a verification; retries on a port taken meanwhile. */
export async function startScratchNats(bin: string): Promise<ScratchNats> {
  const storeDir = await mkdtemp(join(tmpdir(), "hookrail-verify-nats-"));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await sparePort();
    const child = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      stderr = (stderr + s).slice(-4096);
    });
    try {
      await waitListening(child, port, () => stderr);
      return {
        url: `nats://127.0.0.1:${port}`,
        storeDir,
        stop: async () => {
          await stopProcess(child);
          await rm(storeDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
      await stopProcess(child);
    }
  }
  await rm(storeDir, { recursive: true, force: true });
  throw new BackupError(`cannot start a scratch nats-server (${bin})`, { cause: lastError });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitListening(child: ChildProcess, port: number, stderr: () => string) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited: number | null | undefined;
  let spawnError: Error | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  child.once("error", (error) => {
    spawnError = error;
  });
  while (Date.now() < deadline) {
    if (spawnError) throw spawnError;
    if (exited !== undefined) throw new Error(`nats-server exited (${exited}): ${stderr().trim()}`);
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on ${port} within ${START_TIMEOUT_MS} ms`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
