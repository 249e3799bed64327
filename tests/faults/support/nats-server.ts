import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "../../support/ports.js";
import { killChild, killQuietly, track, waitFor } from "./processes.js";

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

interface ClusterSettings {
  name: string;
  port: number;
  routes: number[];
}

/**
 * One nats-server with JetStream that this suite owns: its own port, its own store directory.
 * It can be killed, paused and started again on the same port and store, which the machine's
 * shared server must never be.
 */
export class NatsNode {
  readonly url: string;
  readonly logs: string[] = [];
  #child: ChildProcess | undefined;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly storeDir: string,
    private readonly configFile: string,
  ) {
    this.url = `nats://127.0.0.1:${port}`;
  }

  /** Writes the node's configuration under `dir`; `start()` runs it. */
  static async create(dir: string, name: string, cluster?: ClusterSettings): Promise<NatsNode> {
    const port = await freePort();
    const storeDir = join(dir, `${name}-store`);
    await mkdir(storeDir, { recursive: true });
    const lines = [
      `server_name: ${name}`,
      `listen: "127.0.0.1:${port}"`,
      `jetstream { store_dir: "${storeDir}" }`,
    ];
    if (cluster) {
      const routes = cluster.routes.map((p) => `"nats-route://127.0.0.1:${p}"`).join(", ");
      lines.push(
        `cluster { name: "${cluster.name}", listen: "127.0.0.1:${cluster.port}", routes: [${routes}] }`,
      );
    }
    const configFile = join(dir, `${name}.conf`);
    await writeFile(configFile, `${lines.join("\n")}\n`);
    return new NatsNode(name, port, storeDir, configFile);
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    const c = this.#child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** Starts the server (again) and waits until it listens. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`nats ${this.name} is already running`);
    const child = track(
      spawn(NATS_SERVER, ["-c", this.configFile], { stdio: ["ignore", "pipe", "pipe"] }),
    );
    this.#child = child;
    let ready = false;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream as NodeJS.ReadableStream }).on("line", (line) => {
        if (line.includes("Server is ready")) ready = true;
        this.logs.push(line);
        if (this.logs.length > 500) this.logs.splice(0, 100);
      });
    }
    if (!(await waitFor(() => ready || !this.running, 15_000, 20)) || !this.running) {
      throw new Error(`nats ${this.name} did not start:\n${this.logs.slice(-20).join("\n")}`);
    }
  }

  /** kill -9 (by default), and wait for the process to be gone. */
  async kill(): Promise<void> {
    if (this.#child) await killChild(this.#child);
  }

  pause(): void {
    killQuietly(this.pid, "SIGSTOP");
  }

  resume(): void {
    killQuietly(this.pid, "SIGCONT");
  }
}

/** Starts one node, or a cluster of `size` nodes routed to each other. */
export async function startNats(dir: string, size = 1): Promise<NatsNode[]> {
  const clusterPorts = size > 1 ? await Promise.all(Array.from({ length: size }, freePort)) : [];
  const nodes = await Promise.all(
    Array.from({ length: size }, (_, i) =>
      NatsNode.create(
        dir,
        `n${i + 1}`,
        size > 1
          ? {
              name: "hookrail_faults",
              port: clusterPorts[i] as number,
              routes: clusterPorts.filter((_, j) => j !== i),
            }
          : undefined,
      ),
    ),
  );
  await Promise.all(nodes.map((n) => n.start()));
  return nodes;
}
