import { readdirSync, readFileSync } from "node:fs";

/** CPU used during a phase, in percent of one core, by who used it. */
export type CpuShares = Record<string, number>;

interface Snapshot {
  /** All CPUs' busy and total time, from /proc/stat. */
  busy: number;
  total: number;
  cpus: number;
  /** CPU time per process, with its command name. */
  processes: Map<number, { comm: string; ticks: number }>;
}

/**
 * Starts measuring who uses the CPU; the returned function stops and gives the shares of the
 * runner, each service (by pid), nats-server, postgres (every backend, also other users'),
 * everything else (`others`: other people's work on a shared machine), and `idle`. Reads /proc: undefined where there is none.
 */
export function measureCpu(services: ReadonlyMap<string, number>): () => CpuShares | undefined {
  const before = snapshot();
  return () => {
    const after = snapshot();
    if (!before || !after) return undefined;
    const perCore = (after.total - before.total) / after.cpus || 1;
    const groups = new Map<number, string>([[process.pid, "runner"]]);
    for (const [name, pid] of services) groups.set(pid, name);
    const shares: CpuShares = {};
    let known = 0;
    for (const [pid, p] of after.processes) {
      const group =
        groups.get(pid) ?? (p.comm === "nats-server" || p.comm === "postgres" ? p.comm : undefined);
      const used = p.ticks - (before.processes.get(pid)?.ticks ?? 0);
      if (!group || used <= 0) continue;
      shares[group] = (shares[group] ?? 0) + (100 * used) / perCore;
      known += (100 * used) / perCore;
    }
    // Whatever else ran, including processes that came and went within the phase.
    const busy = (100 * (after.busy - before.busy)) / perCore;
    shares.others = Math.max(0, busy - known);
    shares.idle = Math.max(0, 100 * after.cpus - busy);
    return shares;
  };
}

/**
 * Starts measuring one process's main thread (the event loop; its task id is the pid), apart from
 * the process's other threads (V8's GC helpers, libuv's pool). The returned function stops and
 * gives the main thread's CPU in percent of one core; undefined without /proc.
 */
export function measureMainThread(pid: number): () => number | undefined {
  const read = () => {
    try {
      return { task: taskTicks(`/proc/${pid}/task/${pid}/stat`), machine: machineTicks() };
    } catch {
      return undefined;
    }
  };
  const before = read();
  return () => {
    const after = read();
    if (!before || !after || after.machine.total <= before.machine.total) return undefined;
    const perCore = (after.machine.total - before.machine.total) / after.machine.cpus;
    return (100 * (after.task.ticks - before.task.ticks)) / perCore;
  };
}

/** All CPUs' busy and total time, and how many CPUs, from /proc/stat (throws without it). */
function machineTicks(): { busy: number; total: number; cpus: number } {
  const stat = readFileSync("/proc/stat", "utf8");
  const cpu = stat.split("\n", 1)[0]?.split(/\s+/).slice(1).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    cpu;
  const busy = user + nice + system + irq + softirq + steal;
  const cpus = (stat.match(/^cpu\d+ /gm) ?? []).length || 1;
  return { busy, total: busy + idle + iowait, cpus };
}

/** A process's or thread's command name and CPU time, from its `stat` file (throws if gone). */
function taskTicks(path: string): { comm: string; ticks: number } {
  const line = readFileSync(path, "utf8");
  const close = line.lastIndexOf(")");
  const fields = line.slice(close + 2).split(" ");
  // After "pid (comm) ": state is field 0, utime 11, stime 12 (clock ticks).
  return {
    comm: line.slice(line.indexOf("(") + 1, close),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

function snapshot(): Snapshot | undefined {
  try {
    const machine = machineTicks();
    const processes = new Map<number, { comm: string; ticks: number }>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        processes.set(Number(entry), taskTicks(`/proc/${entry}/stat`));
      } catch {
        // the process ended meanwhile
      }
    }
    return { ...machine, processes };
  } catch {
    return undefined;
  }
}
