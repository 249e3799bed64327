import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { AddressGuard } from "./address-guard.js";

/** Error code of a connection refused by the address guard. */
export const ADDRESS_BLOCKED = "ERR_HOOKRAIL_ADDRESS_BLOCKED";

/**
 * A connection the address guard refused. Its message names the host and the address
 * ("address blocked: evil.example: 127.0.0.1 is in 127.0.0.0/8 (loopback)").
 */
export class AddressBlockedError extends Error {
  readonly code = ADDRESS_BLOCKED;
  readonly host: string;
  readonly address: string;
  constructor(host: string, address: string, reason: string) {
    super(host === address ? `address blocked: ${reason}` : `address blocked: ${host}: ${reason}`);
    this.name = "AddressBlockedError";
    this.host = host;
    this.address = address;
  }
}

/**
 * Wraps a DNS lookup (default `dns.lookup`) so that it fails with an `AddressBlockedError` when
 * ANY address the name resolves to is refused by `guard` — one bad answer means the name points
 * somewhere it must not. Give it to `http.request` / an `Agent` as `lookup`: Node resolves
 * inside the connect and connects to the addresses this returns, so the address checked is the
 * address connected to, and a name that re-resolves to 127.0.0.1 later (DNS rebinding) is caught
 * then. Supports `options.all`. Node does not call `lookup` for IP literals: check those first.
 */
export function guardedLookup(
  guard: AddressGuard,
  lookupImpl: LookupFunction = dnsLookup as LookupFunction,
): LookupFunction {
  return (hostname, options, callback) => {
    // Always ask for every address, so none goes unchecked even when the caller wants one.
    lookupImpl(hostname, { ...options, all: true }, (error, found, family) => {
      if (error) return callback(error, "");
      const addresses: LookupAddress[] =
        typeof found === "string" ? [{ address: found, family: family ?? 0 }] : found;
      const first = addresses[0];
      if (first === undefined) return callback(notFound(hostname), "");
      for (const { address } of addresses) {
        const verdict = guard.check(address);
        if (!verdict.ok)
          return callback(new AddressBlockedError(hostname, address, verdict.reason), "");
      }
      if (options.all) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  error.code = "ENOTFOUND";
  return error;
}
