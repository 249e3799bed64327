import { rebuildProjections } from "@hookrail/event-store";
import { expect } from "vitest";
import type { Verdict } from "./checker.js";
import type { Harness } from "./harness.js";
import { sleep, waitFor } from "./processes.js";
import { type CaseRow, recordRow } from "./report.js";
import { scale } from "./scale.js";
import { readStore, type StoreSnapshot } from "./store.js";

/** What a case ends with: the checker's verdict and the row it recorded. */
export interface CaseOutcome {
  verdict: Verdict;
  row: CaseRow;
  drained: boolean;
  projectionsEqual: boolean;
  /** What was still busy when the drain gave up. */
  drainState: string;
}

export interface FinishOptions {
  /** The case puts dead letters there on purpose. */
  expectDeadLetters?: boolean;
  /** Runs on the drained store, before the row is recorded: for notes and requirements. */
  inspect?: (store: StoreSnapshot, verdict: Verdict) => void | Promise<void>;
}

/**
 * What is still in flight: consumer backlogs, deliveries not settled or waiting for a retry,
 * expected deliveries not made. Empty when the pipeline has drained.
 */
async function busy(h: Harness): Promise<string> {
  const backlogs = await h.backlogs();
  const store = await readStore(h.db);
  const v = h.verdict(store);
  return [
    backlogs.length < Object.keys(h.topology.consumers).length ? "consumer info unavailable" : "",
    ...backlogs
      .filter((b) => b.pending + b.ackPending > 0)
      .map((b) => `${b.durable}: ${b.pending} pending, ${b.ackPending} unacked`),
    store.unsettledDeliveries > 0 ? `${store.unsettledDeliveries} deliveries unsettled` : "",
    store.scheduledRetries > 0 ? `${store.scheduledRetries} retries scheduled` : "",
    v.missingDeliveries.length > 0 ? `${v.missingDeliveries.length} not delivered` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

/**
 * Waits for the sender to finish and the pipeline to drain (bounded), then runs the checker,
 * compares the projections with a rebuild, and records the case's row.
 */
export async function finishCase(h: Harness, options: FinishOptions = {}): Promise<CaseOutcome> {
  if (!h.load) throw new Error("finish() before startLoad()");
  await h.load.finished();
  const drainStart = Date.now();
  let drainState = "";
  const drained = await waitFor(
    async () => {
      drainState = await busy(h);
      return drainState === "";
    },
    scale.drainTimeoutMs,
    500,
  );
  const drainMs = Date.now() - drainStart;
  if (drained) await sleep(1_000); // duplicates still on their way get counted too
  const store = await readStore(h.db);
  const verdict = h.verdict(store);
  const projectionsEqual = (await rebuildProjections(h.db, { commit: false })).equal;
  await options.inspect?.(store, verdict);
  if (!drained) h.notes.push(`did not drain in ${scale.drainTimeoutMs / 1000} s: ${drainState}`);
  if (!projectionsEqual) h.notes.push("projections differ from a rebuild of the events");
  if (store.deadLetters.length > 0) {
    const where = store.deadLetters.map((d) => `${d.kind}/${d.consumer} seq ${d.streamSequence}`);
    h.notes.push(`dead letters: ${where.join(", ")}`);
  }
  const row = rowOf(h, verdict, drainMs);
  row.passed =
    drained &&
    projectionsEqual &&
    verdict.lost.length === 0 &&
    verdict.unexpected.length === 0 &&
    row.duplicateEvents === 0 &&
    verdict.missingDeliveries.length === 0 &&
    verdict.missingRequests === 0 &&
    verdict.strayDeliveries === 0 &&
    (options.expectDeadLetters || verdict.deadLetters === 0) &&
    h.requirements.every((r) => r.ok);
  recordRow(row);
  return { verdict, row, drained, projectionsEqual, drainState };
}

function rowOf(h: Harness, v: Verdict, drainMs: number): CaseRow {
  return {
    order: h.options.order,
    name: h.options.name,
    scale: scale.name,
    attempted: v.attempted,
    accepted: v.accepted,
    answers503: v.answers["503"] ?? 0,
    otherAnswers: Object.entries(v.answers)
      .filter(([status]) => status !== "202" && status !== "503")
      .map(([status, n]) => `${status}×${n}`)
      .join(" "),
    stored: v.stored,
    recovered: v.recovered,
    lost: v.lost.length,
    unexpected: v.unexpected.length,
    duplicateEvents:
      v.duplicateWebhookReceived + v.duplicateDeliveryRequested + v.duplicateStreamVersions,
    deliveriesExpected: v.deliveriesExpected,
    delivered: v.delivered,
    duplicateDeliveries: v.duplicateDeliveries,
    deadLetters: v.deadLetters,
    drainMs,
    durationMs: Date.now() - h.startedAt,
    passed: false,
    notes: h.notes,
  };
}

/**
 * The promise of every case: nothing accepted is lost, nothing unexpected is stored, no event is
 * stored twice, every stored webhook reaches every matching subscription, the projections equal
 * a rebuild from the events, and the case's own requirements hold.
 */
export function assertClean(
  outcome: CaseOutcome,
  h: Harness,
  options: { expectDeadLetters?: boolean } = {},
): void {
  const v = outcome.verdict;
  const context = `${JSON.stringify(outcome.row)}\n${h.diagnostics()}`;
  expect(outcome.drained, `drained (${outcome.drainState})\n${context}`).toBe(true);
  expect(v.lost, `lost = accepted − stored\n${context}`).toEqual([]);
  expect(v.unexpected, `unexpected = stored − attempted\n${context}`).toEqual([]);
  expect(outcome.row.duplicateEvents, `duplicate events\n${context}`).toBe(0);
  expect(v.missingRequests, `DeliveryRequested missing\n${context}`).toBe(0);
  expect(v.missingDeliveries, `deliveries missing\n${context}`).toEqual([]);
  expect(v.strayDeliveries, `deliveries nobody asked for\n${context}`).toBe(0);
  expect(outcome.projectionsEqual, `projections equal a rebuild\n${context}`).toBe(true);
  if (!options.expectDeadLetters) expect(v.deadLetters, `dead letters\n${context}`).toBe(0);
  expect(v.accepted, "the load generator got some 202s").toBeGreaterThan(0);
  for (const r of h.requirements) expect(r.ok, `${r.what}\n${context}`).toBe(true);
}
