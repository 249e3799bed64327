import { BlockList } from "node:net";
import { inPrefix, ipv4At, parseIp } from "./ip.js";

/** A parsed CIDR range: a network address in canonical text, its family and prefix length. */
export interface Cidr {
  text: string;
  address: string;
  family: "ipv4" | "ipv6";
  prefix: number;
}

const MAPPED_PREFIX = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

/**
 * Parses CIDR ranges such as `127.0.0.0/8` or `::1/128`. Throws an Error naming the first bad
 * entry: a missing or out-of-range prefix, an address that is not an IP, a zone id, or host bits
 * set (`10.0.0.1/8` is probably a typo, so it is refused rather than silently widened). An
 * IPv4-mapped range (`::ffff:127.0.0.0/104`) becomes its IPv4 range, because the guard checks
 * mapped addresses as IPv4.
 */
export function parseCidrs(list: readonly string[]): Cidr[] {
  return list.map((entry) => {
    const problem = (why: string) => new Error(`invalid CIDR ${JSON.stringify(entry)}: ${why}`);
    const [addressText = "", prefixText, extra] = entry.trim().split("/");
    if (prefixText === undefined || extra !== undefined || !/^\d{1,3}$/.test(prefixText)) {
      throw problem("expected <address>/<prefix length>, e.g. 127.0.0.0/8 or ::1/128");
    }
    const ip = addressText.includes("%") ? undefined : parseIp(addressText);
    if (ip === undefined) throw problem(`${JSON.stringify(addressText)} is not an IP address`);
    let prefix = Number(prefixText);
    const bits = ip.bytes.length * 8;
    if (prefix > bits) throw problem(`prefix length must be 0-${bits} for ${ip.family}`);
    if (!hostBitsZero(ip.bytes, prefix)) throw problem("host bits are set after the prefix");
    let { family, text } = ip;
    if (family === "ipv6" && prefix >= 96 && inPrefix(ip.bytes, MAPPED_PREFIX, 96)) {
      family = "ipv4";
      text = ipv4At(ip.bytes, 12).text;
      prefix -= 96;
    }
    return { text: `${text}/${prefix}`, address: text, family, prefix };
  });
}

function hostBitsZero(bytes: Uint8Array, prefix: number): boolean {
  return bytes.every((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return (byte & (0xff >> keep)) === 0;
  });
}

/** A CIDR range with a name a person reading a refusal understands. */
export interface NamedRange extends Cidr {
  label: string;
}

/** A set of ranges answering "which range contains this address?", on node:net BlockList. */
export class RangeSet {
  // One BlockList per range, because a refusal must name the range that matched.
  readonly #ranges: { range: NamedRange; list: BlockList }[];

  constructor(ranges: readonly NamedRange[]) {
    this.#ranges = ranges.map((range) => {
      const list = new BlockList();
      list.addSubnet(range.address, range.prefix, range.family);
      return { range, list };
    });
  }

  /** The first range containing `address` (an already canonical IPv4 or IPv6 text). */
  find(address: string, family: "ipv4" | "ipv6"): NamedRange | undefined {
    // BlockList matches an IPv4 rule against IPv4-mapped IPv6 too; the guard canonicalises
    // mapped addresses first, so comparing families keeps the rules literal.
    return this.#ranges.find(
      ({ range, list }) => range.family === family && list.check(address, family),
    )?.range;
  }
}

/** Names the parsed ranges with one label. */
export function labelled(cidrs: readonly Cidr[], label: string): NamedRange[] {
  return cidrs.map((cidr) => ({ ...cidr, label }));
}
