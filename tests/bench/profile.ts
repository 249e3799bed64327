import { readFile } from "node:fs/promises";

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) that a summary needs. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of time on the monotonic clock profiles use: `process.hrtime` in microseconds. */
export interface Window {
  fromUs: number;
  toUs: number;
}

/** Now, on the clock of .cpuprofile timestamps (the same monotonic clock in every process). */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the busy time: samples not idle in the event loop (on a CPU or waiting for one). */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** Self time by function, busiest first. */
  functions: SelfTime[];
  /** Self time by where the code comes from: a package, node core, GC, the service itself. */
  origins: SelfTime[];
}

/**
 * Reads a .cpuprofile and adds up self time per function and per origin, of the samples within
 * `window` (e.g. one phase: start-up and shutdown are not what a benchmark asks about).
 */
export async function summariseProfile(
  file: string,
  window: Window = { fromUs: 0, toUs: Number.POSITIVE_INFINITY },
  top = 15,
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  // Sample i lasts until sample i+1 (DevTools' convention).
  for (let i = 0; i < profile.samples.length - 1; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const frame = frames.get(profile.samples[i] ?? -1);
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (!frame || at < window.fromUs || at > window.toUs) continue;
    totalUs += us;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const origin = originOf(frame.url, frame.functionName);
    const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : "";
    const name = `${frame.functionName || "(anonymous)"}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs || 1;
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / busyUs }));
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    functions: rank(byFunction),
    origins: rank(byOrigin),
  };
}

/** `express`, `@nats-io/nats-core`, `node core`, `@hookrail/messaging`, `(garbage collector)`, … */
export function originOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node core";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const parts = url.slice(modules + "/node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const own = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (own) return own[1] === "packages" ? `@hookrail/${own[2]}` : `services/${own[2]}`;
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) return url.slice(modules + "/node_modules/".length);
  const own = /\/((packages|services)\/.*)$/.exec(url);
  return own?.[1] ?? url.replace(/^file:\/\//, "");
}
