import { isIP } from "node:net";

/** An IP address as bytes (4 or 16), with the text used to name it in messages and BlockLists. */
export interface IpAddress {
  family: "ipv4" | "ipv6";
  bytes: Uint8Array;
  text: string;
}

/**
 * Parses the textual forms an address arrives in — dotted IPv4, IPv6 long or short, IPv6 with a
 * dotted tail (`::ffff:127.0.0.1`), in URL brackets or with a zone id (`fe80::1%eth0`, stripped
 * because the zone does not change which host is reached). Returns `undefined` for anything
 * else, including the shorthand IPv4 forms (`127.1`, `0x7f.0.0.1`) that `isIP` refuses.
 */
export function parseIp(text: string): IpAddress | undefined {
  const unbracketed = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const bare = unbracketed.split("%")[0] ?? "";
  switch (isIP(bare)) {
    case 4:
      return { family: "ipv4", bytes: Uint8Array.from(bare.split(".").map(Number)), text: bare };
    case 6:
      return { family: "ipv6", bytes: ipv6Bytes(bare), text: bare.toLowerCase() };
    default:
      return undefined;
  }
}

/** The IPv4 address whose four bytes start at `offset`. */
export function ipv4At(bytes: Uint8Array, offset: number): IpAddress {
  const four = bytes.slice(offset, offset + 4);
  return { family: "ipv4", bytes: four, text: four.join(".") };
}

/** True when the first `prefix` bits of `bytes` equal those of `network`. */
export function inPrefix(bytes: Uint8Array, network: Uint8Array, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const take = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const i = bit / 8;
    // eslint-disable-next-line security/detect-object-injection -- numeric byte index into Uint8Arrays
    if (((bytes[i] ?? 0) & mask) !== ((network[i] ?? 0) & mask)) return false;
  }
  return true;
}

// `text` has passed isIP, so the only work left is expanding "::" and a dotted IPv4 tail.
function ipv6Bytes(text: string): Uint8Array {
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").flatMap(group));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const zeros = new Array<number>(8 - front.length - back.length).fill(0);
  const bytes = new Uint8Array(16);
  [...front, ...zeros, ...back].forEach((value, i) => {
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

// One 16-bit group, or two for a dotted IPv4 tail.
function group(part: string): number[] {
  if (!part.includes(".")) return [Number.parseInt(part, 16)];
  const [a = 0, b = 0, c = 0, d = 0] = part.split(".").map(Number);
  return [(a << 8) | b, (c << 8) | d];
}
