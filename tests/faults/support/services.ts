import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ServiceName, type ServiceProcess, spawnService } from "@hookrail/launcher";
import { freePort } from "../../support/ports.js";
import { killChild, killQuietly, track } from "./processes.js";

/** A service instance: `processor` is the first processor, `processor#2` a second one. */
export type Instance = ServiceName | `${ServiceName}#${number}`;

const serviceOf = (instance: Instance) => instance.split("#")[0] as ServiceName;

interface Running {
  process: ServiceProcess;
  opsPort: number;
}

/**
 * Hookrail's services as real processes (the same `spawnService` as `pnpm start`), pointed at
 * the case's own NATS and Postgres. An instance keeps its ports across kills and restarts, so
 * the gateway comes back where the senders expect it.
 */
export class Services {
  readonly #running = new Map<Instance, Running>();
  readonly #opsPorts = new Map<Instance, number>();
  /** Every line each instance wrote, across its restarts. */
  readonly logs = new Map<Instance, string[]>();

  constructor(private readonly env: Record<string, string>) {}

  /** Starts an instance (again) and waits until its /readyz answers 200. */
  async start(instance: Instance): Promise<void> {
    if (this.#running.has(instance)) throw new Error(`${instance} is already running`);
    const opsPort = this.#opsPorts.get(instance) ?? (await freePort());
    this.#opsPorts.set(instance, opsPort);
    const lines = this.logs.get(instance) ?? [];
    this.logs.set(instance, lines);
    const process = spawnService(serviceOf(instance), {
      env: { ...this.env, METRICS_PORT: String(opsPort) },
      opsPort,
      onLine: (line) => {
        lines.push(line);
        if (lines.length > 20_000) lines.splice(0, 5_000);
      },
    });
    track(process.child);
    this.#running.set(instance, { process, opsPort });
    try {
      await process.ready(60_000);
    } catch (error) {
      throw new Error(`${instance} did not become ready:\n${lines.slice(-20).join("\n")}`, {
        cause: error,
      });
    }
  }

  /** kill -9 and wait until the process is gone. */
  async kill(instance: Instance): Promise<void> {
    const running = this.#running.get(instance);
    if (!running) return;
    this.#running.delete(instance);
    await killChild(running.process.child);
  }

  async restart(instance: Instance): Promise<void> {
    await this.kill(instance);
    await this.start(instance);
  }

  pause(instance: Instance): void {
    killQuietly(this.#running.get(instance)?.process.pid, "SIGSTOP");
  }

  resume(instance: Instance): void {
    killQuietly(this.#running.get(instance)?.process.pid, "SIGCONT");
  }

  /** Kills every instance (teardown). */
  async killAll(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((i) => this.kill(i)));
  }

  /** How many lines of every instance's log contain `text`. */
  countLines(text: string): number {
    let n = 0;
    for (const lines of this.logs.values()) for (const line of lines) if (line.includes(text)) n++;
    return n;
  }

  /** Log lines at level error or fatal, from every instance, prefixed with the instance. */
  errorLines(): string[] {
    const out: string[] = [];
    for (const [instance, lines] of this.logs) {
      for (const line of lines)
        if (/"level":"(error|fatal)"/.test(line)) out.push(`${instance}: ${line}`);
    }
    return out;
  }

  /** Writes each instance's whole log to `<dir>/<prefix>-<instance>.log`. */
  async dump(dir: string, prefix: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const [instance, lines] of this.logs) {
      await writeFile(
        join(dir, `${prefix}-${instance.replace("#", "-")}.log`),
        `${lines.join("\n")}\n`,
      );
    }
  }

  /** The last lines of every instance, for a failing case's message. */
  tail(lines = 15): string {
    return [...this.logs]
      .map(([instance, l]) => `--- ${instance}\n${l.slice(-lines).join("\n")}`)
      .join("\n");
  }
}
