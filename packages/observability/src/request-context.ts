import { AsyncLocalStorage } from "node:async_hooks";
import { context, propagation } from "@opentelemetry/api";
import { REQUEST_ID_BAGGAGE, RequestIdBaggage, withRequestIdBaggage } from "./request-baggage.js";

/**
 * The request id of the work in progress, followed through awaits so that every log line can
 * carry it. With telemetry on it lives in the baggage of the OpenTelemetry context, next to the
 * trace (the baggage carries it into NATS headers and beyond, and a consumer that continues the
 * trace has it again); with telemetry off, in an AsyncLocalStorage of its own.
 *
 * Why not both, always: each `run` of an AsyncLocalStorage copies the async context frame, and a
 * webhook entered the request id's storage and OpenTelemetry's once each for the same id — the
 * largest single cost of the OpenTelemetry calls of one webhook in a hot loop.
 */
const storage = new AsyncLocalStorage<{ requestId: string }>();
let inTraceContext = false;

/**
 * Called by the telemetry bootstrap once OpenTelemetry's context manager is installed: request
 * ids then go into its context. (`false` goes back, for tests.)
 */
export function keepRequestIdsInTraceContext(on = true): void {
  inTraceContext = on;
}

/** Runs `work` with `requestId` as the current request id (and, with telemetry on, in baggage). */
export function withRequestId<T>(requestId: string, work: () => T): T {
  if (!inTraceContext) return storage.run({ requestId }, work);
  return context.with(withRequestIdBaggage(context.active(), requestId), work);
}

export function currentRequestId(): string | undefined {
  if (!inTraceContext) return storage.getStore()?.requestId;
  const baggage = propagation.getBaggage(context.active());
  if (baggage instanceof RequestIdBaggage) return baggage.requestId;
  return baggage?.getEntry(REQUEST_ID_BAGGAGE)?.value;
}
