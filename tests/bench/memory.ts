import { readFileSync } from "node:fs";

/** Resident set size of a process, MiB, from /proc (undefined where there is none). */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** One service's RSS over a phase: samples at a fixed interval, and how they moved. */
export interface MemorySeries {
  samples: number[];
  intervalMs: number;
  max: number;
  first: number;
  last: number;
  /** Least-squares slope over the second half of the samples, MiB per minute (flat ≈ 0). */
  slopeMiBPerMinute: number;
  /** The same for the V8 heap in use. */
  heapUsed?: Omit<MemorySeries, "heapUsed">;
}

/** V8 heap in use, MiB, from a service's own /metrics (its ops port). */
export async function heapUsedMiB(opsPort: number): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`, {
    signal: AbortSignal.timeout(2000),
  }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const m = /^hookrail_process_memory_heap_used\S*\s+(\S+)$/m.exec(await res.text());
  return m?.[1] === undefined ? undefined : Number(m[1]) / 1048576;
}

/**
 * Samples each service's RSS (from /proc) and V8 heap in use (from its /metrics) every
 * `intervalMs` until the returned function is called: RSS is the target, the heap says whether
 * growth is live objects or memory V8 and the allocator keep.
 */
export function sampleMemory(
  services: ReadonlyMap<string, { pid: number; opsPort?: number }>,
  intervalMs: number,
) {
  const rss = new Map<string, number[]>([...services.keys()].map((name) => [name, []]));
  const heap = new Map<string, number[]>([...services.keys()].map((name) => [name, []]));
  const take = () => {
    for (const [name, { pid, opsPort }] of services) {
      const mib = rssMiB(pid);
      if (mib !== undefined) rss.get(name)?.push(mib);
      if (opsPort)
        void heapUsedMiB(opsPort).then((h) => h !== undefined && heap.get(name)?.push(h));
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return (): Record<string, MemorySeries> => {
    clearInterval(timer);
    take();
    return Object.fromEntries(
      [...rss].map(([name, s]) => [
        name,
        { ...summarise(s, intervalMs), heapUsed: summarise(heap.get(name) ?? [], intervalMs) },
      ]),
    );
  };
}

function summarise(samples: number[], intervalMs: number): Omit<MemorySeries, "heapUsed"> {
  const tail = samples.slice(Math.floor(samples.length / 2));
  return {
    samples: samples.map((v) => Math.round(v * 10) / 10),
    intervalMs,
    max: Math.max(...samples),
    first: samples[0] ?? 0,
    last: samples.at(-1) ?? 0,
    slopeMiBPerMinute: slope(tail) * (60_000 / intervalMs),
  };
}

/** Least-squares slope of evenly spaced samples, per sample. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

/** Samples a number (e.g. a consumer's backlog) every `intervalMs` until stopped. */
export function sampleEvery(intervalMs: number, read: () => Promise<number>) {
  const values: number[] = [];
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    read()
      .then((v) => values.push(v))
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return values;
  };
}
