import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";

/** A nats-server of the test's own, on a spare port with its own store: it may be killed. */
export interface OwnNats {
  url: string;
  port: number;
  storeDir: string;
  /** Kills it (SIGKILL by default, as a crash would) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** On PATH, or where Debian installs it (/usr/sbin is not on an unprivileged user's PATH). */
export const NATS_SERVER_BIN =
  process.env.NATS_SERVER_BIN ??
  [...(process.env.PATH ?? "").split(":"), "/usr/sbin"]
    .filter(Boolean)
    .map((dir) => join(dir, "nats-server"))
    .find((path) => existsSync(path)) ??
  "nats-server";

export async function startOwnNats(port: number, storeDir: string): Promise<OwnNats> {
  const child = spawn(
    NATS_SERVER_BIN,
    ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    stderr = (stderr + s).slice(-4096);
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`nats-server exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`nats-server not listening on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `nats://127.0.0.1:${port}`, port, storeDir, kill: (signal) => kill(child, signal) };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  await exited;
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
