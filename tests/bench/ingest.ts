import { measureCpu, measureMainThread } from "./cpu.js";
import { type Percentiles, percentiles } from "./ledger.js";
import { closedLoop, keepAlivePoster } from "./load.js";
import type { BenchWebhook } from "./webhooks.js";

/** A server that takes webhooks: the gateway (telemetry on or off) or the bare ceiling. */
export interface IngestTarget {
  name: string;
  port: number;
  path: string;
  pid: number;
  next: () => BenchWebhook;
  /** Told of each send and answer (the gateway's go in the ledger, to check their delivery). */
  sent?: (id: string) => void;
  answered?: (id: string, status: number | string, detail?: string) => void;
}

export interface IngestResult {
  name: string;
  seconds: number;
  accepted: number;
  /** Answers other than 202, by status or error code. */
  errors: Record<string, number>;
  /** Send to 202, ms. */
  latency: Percentiles;
  /** 202 answers per second of its own slots. */
  rate: number;
  /** The same, per round: how much the machine moved it. */
  roundRates: number[];
  /** CPU of the target's own process per 202, ms (a figure the machine's noise moves less). */
  cpuMsPer202?: number;
  /** Of that, its main thread's (the event loop, where a Node server's throughput is decided). */
  mainThreadMsPer202?: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Loads each target in turn with the same closed loop, `rounds` times, `slotMs` each, rotating the
 * order every round: interleaving spreads the machine's noise evenly over the targets, so their
 * ratios hold even when the absolute figures move.
 */
export async function compareIngest(
  targets: readonly IngestTarget[],
  o: { connections: number; slotMs: number; rounds: number; log: (line: string) => void },
): Promise<IngestResult[]> {
  const acc = new Map(
    targets.map((t) => [
      t.name,
      {
        seconds: 0,
        accepted: 0,
        cpuMs: 0,
        mainThreadMs: 0,
        errors: {} as Record<string, number>,
        ms: [] as number[],
        roundRates: [] as number[],
      },
    ]),
  );
  for (let round = 0; round < o.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length] as IngestTarget);
    for (const t of order) {
      const a = acc.get(t.name);
      if (!a) continue;
      const slot = await loadSlot(t, o.connections, o.slotMs, a.ms, a.errors);
      a.seconds += slot.seconds;
      a.accepted += slot.accepted;
      a.cpuMs += slot.cpuMs ?? Number.NaN;
      a.mainThreadMs += slot.mainThreadMs ?? Number.NaN;
      a.roundRates.push(slot.accepted / slot.seconds);
      o.log(
        `ingest round ${round + 1}/${o.rounds} ${t.name}: ${(slot.accepted / slot.seconds).toFixed(0)} 202/s`,
      );
    }
  }
  return targets.map((t) => {
    const a = acc.get(t.name);
    if (!a) throw new Error(`no results for ${t.name}`);
    return {
      name: t.name,
      seconds: a.seconds,
      accepted: a.accepted,
      errors: a.errors,
      latency: percentiles(a.ms),
      rate: a.accepted / a.seconds,
      roundRates: a.roundRates,
      ...(Number.isFinite(a.cpuMs) && a.accepted ? { cpuMsPer202: a.cpuMs / a.accepted } : {}),
      ...(Number.isFinite(a.mainThreadMs) && a.accepted
        ? { mainThreadMsPer202: a.mainThreadMs / a.accepted }
        : {}),
    };
  });
}

async function loadSlot(
  t: IngestTarget,
  connections: number,
  slotMs: number,
  latencies: number[],
  errors: Record<string, number>,
) {
  const poster = keepAlivePoster(t.port, connections, REQUEST_TIMEOUT_MS);
  let accepted = 0;
  const send = async () => {
    const webhook = t.next();
    t.sent?.(webhook.id);
    const begin = performance.now();
    const answer = await poster.post(t.path, webhook.headers, webhook.body);
    t.answered?.(webhook.id, answer.status, answer.detail);
    if (answer.status === 202) {
      accepted++;
      latencies.push(performance.now() - begin);
    } else {
      const key = String(answer.status);
      errors[key] = (errors[key] ?? 0) + 1;
    }
  };
  const cpu = measureCpu(new Map([[t.name, t.pid]]));
  const mainThread = measureMainThread(t.pid);
  const start = performance.now();
  try {
    await closedLoop(send, connections, start + slotMs);
  } finally {
    poster.close();
  }
  const seconds = (performance.now() - start) / 1000;
  const share = cpu()?.[t.name];
  const mainShare = mainThread();
  const ms = (percent: number | undefined) =>
    percent === undefined ? undefined : (percent / 100) * seconds * 1000;
  return { seconds, accepted, cpuMs: ms(share), mainThreadMs: ms(mainShare) };
}
