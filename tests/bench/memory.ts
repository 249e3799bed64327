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
}

/** Samples each service's RSS every `intervalMs` until the returned function is called. */
export function sampleMemory(services: ReadonlyMap<string, number>, intervalMs: number) {
  const series = new Map<string, number[]>([...services.keys()].map((name) => [name, []]));
  const take = () => {
    for (const [name, pid] of services) {
      const mib = rssMiB(pid);
      if (mib !== undefined) series.get(name)?.push(mib);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return (): Record<string, MemorySeries> => {
    clearInterval(timer);
    take();
    return Object.fromEntries([...series].map(([name, s]) => [name, summarise(s, intervalMs)]));
  };
}

function summarise(samples: number[], intervalMs: number): MemorySeries {
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
