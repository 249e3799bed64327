import { type MsgHdrs, headers as natsHeaders } from "@nats-io/nats-core";

/**
 * Flattens NATS headers into a record with lowercase keys. A header sent several times (or with
 * keys differing only in case) becomes one comma-joined value, as in HTTP.
 */
export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  // Iterated, not `keys()` then `values(key)`: nats.js answers each `values(key)` by listing and
  // filtering every key, so that was quadratic in the headers of every consumed message.
  for (const [key, list] of h) {
    const lower = key.toLowerCase();
    const values = list.join(", ");
    // eslint-disable-next-line security/detect-object-injection -- values are strings, so even a header named __proto__ cannot swap the prototype
    out[lower] = out[lower] === undefined ? values : `${out[lower]}, ${values}`;
  }
  return out;
}

/** Builds NATS headers from a record; nats.js validates the keys and values. */
export function recordToHeaders(record: Record<string, string>): MsgHdrs {
  const h = natsHeaders();
  // append, not set: the headers are new and a record's keys are distinct, so there is nothing
  // to replace, and nats.js's set first lists and filters every key to delete the old value.
  for (const [key, value] of Object.entries(record)) h.append(key, value);
  return h;
}
