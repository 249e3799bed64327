import { type Baggage, type BaggageEntry, type Context, propagation } from "@opentelemetry/api";

/** The baggage entry that carries the request id to every service after the gateway. */
export const REQUEST_ID_BAGGAGE = "hookrail.request_id";

// W3C limit of one baggage pair (https://www.w3.org/TR/baggage/#limits).
const MAX_PAIR_LENGTH = 4096;
// Values made only of these need no percent-encoding (a request id, a UUID).
const PLAIN = /^[\w.~-]*$/;

const encode = (text: string) => (PLAIN.test(text) ? text : encodeURIComponent(text));

/** One `key=value;metadata` pair of a `baggage` header, or none beyond the W3C length limit. */
export function baggagePair(key: string, entry: BaggageEntry): string | undefined {
  let pair = `${encode(key)}=${encode(entry.value)}`;
  if (entry.metadata !== undefined) pair += `;${entry.metadata.toString()}`;
  return pair.length > MAX_PAIR_LENGTH ? undefined : pair;
}

/**
 * The baggage of a request that arrived without any: the request id alone, its `baggage`
 * header made once. Why not the API's own: every webhook makes one, and its generic form (a Map
 * copied on each `setEntry`, entries copied out again to write the header) was the largest single
 * cost of tracing a request the gateway does not keep (docs/performance.md, "telemetry").
 * It behaves as the API's baggage: immutable, and any change returns the API's implementation.
 */
export class RequestIdBaggage implements Baggage {
  readonly #requestId: string;
  #header: string | undefined;

  constructor(requestId: string) {
    this.#requestId = requestId;
  }

  get requestId(): string {
    return this.#requestId;
  }

  /** `hookrail.request_id=<id>`, or empty when the pair is beyond the W3C limit. */
  get header(): string {
    this.#header ??= baggagePair(REQUEST_ID_BAGGAGE, { value: this.#requestId }) ?? "";
    return this.#header;
  }

  getEntry(key: string): BaggageEntry | undefined {
    return key === REQUEST_ID_BAGGAGE ? { value: this.#requestId } : undefined;
  }

  getAllEntries(): [string, BaggageEntry][] {
    return [[REQUEST_ID_BAGGAGE, { value: this.#requestId }]];
  }

  setEntry(key: string, entry: BaggageEntry): Baggage {
    return this.#generic().setEntry(key, entry);
  }

  removeEntry(key: string): Baggage {
    return this.#generic().removeEntry(key);
  }

  removeEntries(...keys: string[]): Baggage {
    return this.#generic().removeEntries(...keys);
  }

  clear(): Baggage {
    return propagation.createBaggage();
  }

  #generic(): Baggage {
    return propagation.createBaggage({ [REQUEST_ID_BAGGAGE]: { value: this.#requestId } });
  }
}

/** `context` with the request id in its baggage, next to whatever baggage the caller sent. */
export function withRequestIdBaggage(context: Context, requestId: string): Context {
  const sent = propagation.getBaggage(context);
  const baggage = sent
    ? sent.setEntry(REQUEST_ID_BAGGAGE, { value: requestId })
    : new RequestIdBaggage(requestId);
  return propagation.setBaggage(context, baggage);
}
