import { labelled, type NamedRange, parseCidrs, RangeSet } from "./cidr.js";
import { type IpAddress, inPrefix, ipv4At, parseIp } from "./ip.js";

/** The guard's answer for one address: allowed, or refused with a reason naming the range. */
export type AddressCheck = { ok: true } | { ok: false; reason: string };

/** Decides which IP addresses outbound webhooks may connect to. */
export interface AddressGuard {
  /** True when a webhook may be sent to `ip`. */
  isAllowed(ip: string): boolean;
  /** As `isAllowed`, with the reason for a refusal (e.g. "127.0.0.1 is in 127.0.0.0/8 (loopback)"). */
  check(ip: string): AddressCheck;
}

// Svix's list (svix-server webhook_http_client.rs, is_allowed) plus IPv6 multicast and the
// IPv4-compatible range: no public webhook receiver lives in any of these. IPv4-mapped addresses
// (::ffff:0:0/96) are not listed because they are checked as the IPv4 address they denote.
const DEFAULT_BLOCKED: readonly (readonly [string, string])[] = [
  ["0.0.0.0/8", "this network"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "shared address space (CGNAT)"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.0.2.0/24", "documentation"],
  ["192.88.99.0/24", "6to4 relay anycast"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved and broadcast"],
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["::/96", "IPv4-compatible (deprecated)"],
  ["fe80::/10", "link-local"],
  ["fc00::/7", "unique local"],
  ["ff00::/8", "multicast"],
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["100::/64", "discard-only"],
  ["2002::/16", "6to4"],
  ["64:ff9b::/96", "NAT64"],
  ["64:ff9b:1::/48", "local-use NAT64"],
  ["5f00::/16", "segment routing (SRv6)"],
  ["2001::/23", "IETF protocol assignments"],
];

const BLOCKED = new RangeSet(
  DEFAULT_BLOCKED.flatMap(([cidr, label]) => labelled(parseCidrs([cidr]), label)),
);

const bytes = (...values: number[]) => Uint8Array.from(values);
const MAPPED = { network: bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff), prefix: 96 };
const SIX_TO_FOUR = { network: bytes(0x20, 0x02), prefix: 16 };
const NAT64 = { network: bytes(0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0), prefix: 96 };
const NAT64_LOCAL = { network: bytes(0, 0x64, 0xff, 0x9b, 0, 1), prefix: 48 };

/**
 * Builds the SSRF guard for outbound webhooks. By default it refuses every non-public range
 * (loopback, private, link-local, CGNAT, documentation, multicast, reserved …, IPv4 and IPv6).
 * `allowedCidrs` exempts ranges — e.g. `["127.0.0.0/8"]` for tests on loopback — and is parsed
 * eagerly: a bad entry throws an Error naming it.
 *
 * An IPv4-mapped IPv6 address is judged as its IPv4 address. An address that carries an IPv4
 * address (6to4, NAT64) is allowed only if that IPv4 address is allowed too — so exempting
 * 64:ff9b::/96 on a NAT64 network still does not open loopback. Text that is not an IP address
 * is refused.
 */
export function createAddressGuard(allowedCidrs: readonly string[] = []): AddressGuard {
  const allowed = new RangeSet(labelled(parseCidrs(allowedCidrs), "allowed"));

  // The range that refuses `ip`, and the IPv4 address it matched when that is not `ip` itself.
  const refusal = (ip: IpAddress): { range: NamedRange; via?: string } | undefined => {
    if (inPrefix(ip.bytes, MAPPED.network, MAPPED.prefix)) {
      const ipv4 = ipv4At(ip.bytes, 12);
      const found = refusal(ipv4);
      return found && { range: found.range, via: `is ${ipv4.text}` };
    }
    for (const carried of embeddedIpv4(ip)) {
      const found = refusal(carried);
      if (found) return { range: found.range, via: `carries ${carried.text}` };
    }
    if (allowed.find(ip.text, ip.family)) return undefined;
    const range = BLOCKED.find(ip.text, ip.family);
    return range && { range };
  };

  const check = (text: string): AddressCheck => {
    const ip = parseIp(text);
    if (!ip) return { ok: false, reason: `${JSON.stringify(text)} is not an IP address` };
    const found = refusal(ip);
    if (!found) return { ok: true };
    const where = `${found.range.text} (${found.range.label})`;
    const reason = found.via
      ? `${ip.text} ${found.via}, which is in ${where}`
      : `${ip.text} is in ${where}`;
    return { ok: false, reason };
  };
  return { check, isAllowed: (text) => check(text).ok };
}

// The IPv4 addresses a 6to4 or NAT64 address routes to (RFC 3056; RFC 6052 §2.2). The local-use
// NAT64 prefix may be a /48 or a /96 inside 64:ff9b:1::/48, so both placements are checked.
function embeddedIpv4(ip: IpAddress): IpAddress[] {
  if (ip.family !== "ipv6") return [];
  if (inPrefix(ip.bytes, SIX_TO_FOUR.network, SIX_TO_FOUR.prefix)) return [ipv4At(ip.bytes, 2)];
  if (inPrefix(ip.bytes, NAT64_LOCAL.network, NAT64_LOCAL.prefix)) {
    const b = ip.bytes;
    const slash48 = Uint8Array.from([b[6] ?? 0, b[7] ?? 0, b[9] ?? 0, b[10] ?? 0]);
    return [ipv4At(b, 12), ipv4At(slash48, 0)];
  }
  if (inPrefix(ip.bytes, NAT64.network, NAT64.prefix)) return [ipv4At(ip.bytes, 12)];
  return [];
}
