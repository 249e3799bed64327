import type { LookupFunction } from "node:net";
import type { AddressCheck, AddressGuard } from "./address-guard.js";
import { AddressBlockedError, guardedLookup } from "./guarded-lookup.js";
import { parseIp } from "./ip.js";

/** A webhook URL split for sending: the URL, and its host without IPv6 brackets. */
export type Target =
  | { ok: true; url: URL; host: string; ipLiteral: boolean }
  | { ok: false; reason: string };

/** Parses a receiver URL; only absolute http and https URLs with a host are targets. */
export function parseTarget(text: string): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "not a valid absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return {
      ok: false,
      reason: `unsupported scheme ${url.protocol.slice(0, -1)}: use http or https`,
    };
  }
  // WHATWG parsing has already turned 127.1, 0x7f.0.0.1 and 2130706433 into 127.0.0.1.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") return { ok: false, reason: "the URL has no host" };
  return { ok: true, url, host, ipLiteral: parseIp(host) !== undefined };
}

/**
 * Registration-time check of a receiver URL: http or https, and every address its host resolves
 * to (or the literal IP) allowed by `guard`. An unresolvable host is refused too. Resolves to a
 * value, never rejects. Dispatch checks again at connect time, because DNS can change.
 */
export async function checkUrl(
  url: string,
  guard: AddressGuard,
  lookupImpl?: LookupFunction,
): Promise<AddressCheck> {
  const target = parseTarget(url);
  if (!target.ok) return target;
  if (target.ipLiteral) return guard.check(target.host);
  const lookup = guardedLookup(guard, lookupImpl);
  return new Promise((resolve) => {
    lookup(target.host, { all: true }, (error) => {
      if (error === null) resolve({ ok: true });
      else if (error instanceof AddressBlockedError) resolve({ ok: false, reason: error.message });
      else resolve({ ok: false, reason: `cannot resolve ${target.host}: ${error.message}` });
    });
  });
}
