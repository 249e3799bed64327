/**
 * How big the fault suite runs. `FAULT_SCALE=ci` (the default) is what CI runs: small loads and
 * short faults, all eleven cases in a few minutes on two cores. `FAULT_SCALE=large` runs on
 * demand: more traffic, and faults as long as the real thing (a pause past the default 30 s ack
 * wait, a subscriber down for minutes).
 */
export interface Scale {
  name: "ci" | "large";
  /** Webhooks per second the load generator sends, steadily, during a case. */
  ratePerSecond: number;
  /** The length of one phase of a case's timeline: load before, during and after a fault. */
  phaseMs: number;
  /** How long a dependency stays killed, restarted or unreachable. */
  outageMs: number;
  /** A blackhole of the TCP proxy: connections accepted, nothing forwarded. */
  blackholeMs: number;
  /** Added to every chunk in both directions while the latency toxic is on. */
  latencyMs: number;
  /** A SIGSTOP pause; longer than `ackWaitMs`. */
  pauseMs: number;
  /**
   * The consumers' ack wait during the pause case. The services declare 30 s and read no
   * variable for it, so at CI scale the case lowers it on the server after they start.
   */
  ackWaitMs: number | undefined;
  /** How long the subscriber is down. */
  subscriberDownMs: number;
  /** DELIVERY_RETRY_SCHEDULE: must outlast `subscriberDownMs`. */
  retrySchedule: string;
  /** Messages the WEBHOOKS stream takes before the full-stream case fills it. */
  fullStreamMessages: number;
  /** After the load window the sender still retries for this long. */
  senderGraceMs: number;
  /** Upper bound on waiting for backlogs and deliveries to settle after a case. */
  drainTimeoutMs: number;
  /** vitest timeout of one case. */
  caseTimeoutMs: number;
}

const SCALES: Record<Scale["name"], Scale> = {
  ci: {
    name: "ci",
    ratePerSecond: 30,
    phaseMs: 2_500,
    outageMs: 5_000,
    blackholeMs: 5_000,
    latencyMs: 200,
    pauseMs: 5_000,
    ackWaitMs: 2_000,
    subscriberDownMs: 10_000,
    retrySchedule: "500ms,1s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s",
    fullStreamMessages: 120,
    senderGraceMs: 15_000,
    drainTimeoutMs: 60_000,
    caseTimeoutMs: 180_000,
  },
  large: {
    name: "large",
    ratePerSecond: 100,
    phaseMs: 20_000,
    outageMs: 20_000,
    blackholeMs: 20_000,
    latencyMs: 200,
    pauseMs: 35_000,
    ackWaitMs: undefined,
    subscriberDownMs: 180_000,
    retrySchedule: "1s,5s,15s,30s,60s,60s,60s,60s,60s,60s",
    fullStreamMessages: 3_000,
    senderGraceMs: 60_000,
    drainTimeoutMs: 600_000,
    caseTimeoutMs: 1_800_000,
  },
};

function readScale(value: string | undefined): Scale {
  const name = value && value.length > 0 ? value : "ci";
  if (name !== "ci" && name !== "large") {
    throw new Error(`FAULT_SCALE must be "ci" or "large", got ${JSON.stringify(value)}`);
  }
  return SCALES[name];
}

export const scale: Scale = readScale(process.env.FAULT_SCALE);
