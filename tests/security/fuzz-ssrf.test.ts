import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
// @hookrail/delivery is not a dependency of the tests package; its public door is imported by path.
import { checkUrl, createAddressGuard } from "../../packages/delivery/src/index.js";

// Property tests of the SSRF guard (createAddressGuard) over every textual form an address can
// take: for a random address in each blocked range, its dotted, IPv4-mapped (three spellings),
// IPv4-compatible, 6to4, NAT64 (and local-use NAT64), long, zero-padded, upper-case, bracketed and
// zoned forms are all refused, and so are the URL spellings (decimal, hex, octal, short) through
// checkUrl. Random public addresses, and their mapped forms, are allowed. The blocked ranges are
// written down here from the IANA special-purpose registries, not imported from the code.

const RUNS = Number(process.env.FUZZ_SSRF_RUNS ?? 500);
const counts = new Map<string, number>();
const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);

afterAll(() => {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `ssrf properties: ${total} addresses checked; ${[...counts].map(([k, n]) => `${k}=${n}`).join(" ")}`,
  );
});

const BLOCKED_V4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
];
const BLOCKED_V6 = [
  "::1/128",
  "::/128",
  "fe80::/10",
  "fc00::/7",
  "ff00::/8",
  "2001:db8::/32",
  "3fff::/20",
  "100::/64",
  "2002::/16",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "5f00::/16",
  "2001::/23",
];

// ── address arithmetic ────────────────────────────────────────────────────────────────────────

const v4Range = (cidr: string) => {
  const [ip = "", bits = "0"] = cidr.split("/");
  const base = ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  return { base, size: 2 ** (32 - Number(bits)) };
};
const inV4 = (n: number, cidr: string) => {
  const { base, size } = v4Range(cidr);
  return n >= base && n < base + size;
};
const v4Octets = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const dotted = (n: number) => v4Octets(n).join(".");
const hex16 = (n: number) => n.toString(16);

const v6Range = (cidr: string) => {
  const [ip = "", bits = "0"] = cidr.split("/");
  return { base: v6ToBig(ip), bits: Number(bits) };
};
function v6ToBig(text: string): bigint {
  const [head = "", tail] = text.split("::");
  const parts = (s: string) => (s === "" ? [] : s.split(":"));
  const front = parts(head);
  const back = tail === undefined ? [] : parts(tail);
  const groups = [...front, ...new Array(8 - front.length - back.length).fill("0"), ...back];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}
const inV6 = (n: bigint, cidr: string) => {
  const { base, bits } = v6Range(cidr);
  const shift = BigInt(128 - bits);
  return n >> shift === base >> shift;
};
const groupsOf = (n: bigint) =>
  Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));

/** The spellings of one IPv6 address: compressed, long, zero-padded, upper-case, zoned, bracketed. */
function v6Forms(n: bigint): string[] {
  const g = groupsOf(n);
  const long = g.map(hex16).join(":");
  const padded = g.map((x) => hex16(x).padStart(4, "0")).join(":");
  // Compress the longest run of zero groups (RFC 5952), if any.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const compressed =
    best.len > 1
      ? `${g.slice(0, best.at).map(hex16).join(":")}::${g
          .slice(best.at + best.len)
          .map(hex16)
          .join(":")}`
      : long;
  return [compressed, long, padded, padded.toUpperCase(), `${compressed}%eth0`, `[${compressed}]`];
}

/** The IPv6 spellings that carry the IPv4 address `n`: mapped, compatible, 6to4, NAT64. */
function carriers(n: number, suffix: number): { form: string; text: string }[] {
  const [a = 0, b = 0, c = 0, d = 0] = v4Octets(n);
  const hi = hex16((a << 8) | b);
  const lo = hex16((c << 8) | d);
  const pad = (s: string) => s.padStart(4, "0");
  return [
    { form: "mapped-dotted", text: `::ffff:${dotted(n)}` },
    { form: "mapped-hex", text: `::ffff:${hi}:${lo}` },
    { form: "mapped-long", text: `0:0:0:0:0:ffff:${hi}:${lo}` },
    { form: "mapped-padded", text: `0000:0000:0000:0000:0000:FFFF:${pad(hi)}:${pad(lo)}` },
    { form: "compatible", text: `::${dotted(n)}` },
    { form: "6to4", text: `2002:${hi}:${lo}::${hex16(suffix)}` },
    {
      form: "6to4-padded",
      text: `2002:${pad(hi)}:${pad(lo)}:0000:0000:0000:0000:${pad(hex16(suffix))}`,
    },
    { form: "nat64-dotted", text: `64:ff9b::${dotted(n)}` },
    { form: "nat64-hex", text: `64:ff9b::${hi}:${lo}` },
    { form: "nat64-padded", text: `0064:ff9b:0000:0000:0000:0000:${pad(hi)}:${pad(lo)}` },
    { form: "nat64-local", text: `64:ff9b:1::${hi}:${lo}` },
  ];
}

/** URL spellings of an IPv4 address that WHATWG parsing turns back into it. */
function urlForms(n: number): { form: string; url: string }[] {
  const [a = 0, b = 0, c = 0, d = 0] = v4Octets(n);
  return [
    { form: "url-dotted", url: `http://${dotted(n)}/hook` },
    { form: "url-decimal", url: `http://${n}/hook` },
    { form: "url-hex", url: `http://0x${n.toString(16)}/hook` },
    {
      form: "url-octal",
      url: `http://${[a, b, c, d].map((o) => `0${o.toString(8)}`).join(".")}/hook`,
    },
    { form: "url-short", url: `http://${a}.${(b << 16) | (c << 8) | d}/hook` },
    { form: "url-mapped", url: `http://[::ffff:${dotted(n)}]:8443/hook` },
    { form: "url-userinfo", url: `https://example.com@${dotted(n)}/hook` },
  ];
}

// ── generators ────────────────────────────────────────────────────────────────────────────────

const blockedV4 = fc.constantFrom(...BLOCKED_V4).chain((cidr) => {
  const { base, size } = v4Range(cidr);
  return fc.integer({ min: 0, max: size - 1 }).map((k) => ({ cidr, n: base + k }));
});
const publicV4 = fc
  .integer({ min: 0, max: 2 ** 32 - 1 })
  .filter((n) => !BLOCKED_V4.some((cidr) => inV4(n, cidr)));
const blockedV6 = fc.constantFrom(...BLOCKED_V6).chain((cidr) => {
  const { base, bits } = v6Range(cidr);
  return fc
    .bigInt({ min: 0n, max: (1n << BigInt(128 - bits)) - 1n })
    .map((k) => ({ cidr, n: base + k }));
});
const publicV6 = fc
  .bigInt({ min: 0x2000n << 112n, max: (0x4000n << 112n) - 1n })
  .filter((n) => !BLOCKED_V6.some((cidr) => inV6(n, cidr)));

// ── properties ────────────────────────────────────────────────────────────────────────────────

describe("the SSRF guard, default configuration", () => {
  const guard = createAddressGuard();

  it("refuses every address of every blocked IPv4 range, in every IPv6 spelling that carries it", () => {
    fc.assert(
      fc.property(blockedV4, fc.integer({ min: 0, max: 0xffff }), ({ cidr, n }, suffix) => {
        count("v4:dotted");
        expect(guard.isAllowed(dotted(n)), `${dotted(n)} (${cidr})`).toBe(false);
        for (const { form, text } of carriers(n, suffix)) {
          count(`v4:${form}`);
          expect(guard.isAllowed(text), `${text} carries ${dotted(n)} (${cidr})`).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses zero-padded and other non-canonical IPv4 text, which is not an address", () => {
    fc.assert(
      fc.property(blockedV4, ({ n }) => {
        count("v4:zero-padded");
        const padded = v4Octets(n)
          .map((o) => String(o).padStart(3, "0"))
          .join(".");
        expect(guard.isAllowed(padded)).toBe(false);
        expect(guard.isAllowed(String(n))).toBe(false);
        expect(guard.isAllowed(`0x${n.toString(16)}`)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses every URL spelling of a blocked IPv4 address (checkUrl, after WHATWG parsing)", async () => {
    await fc.assert(
      fc.asyncProperty(blockedV4, async ({ cidr, n }) => {
        for (const { form, url } of urlForms(n)) {
          count(`v4:${form}`);
          const verdict = await checkUrl(url, guard);
          expect(verdict.ok, `${url} (${cidr})`).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses every address of every blocked IPv6 range, in every spelling", () => {
    fc.assert(
      fc.property(blockedV6, ({ cidr, n }) => {
        for (const text of v6Forms(n)) {
          count("v6:blocked");
          expect(guard.isAllowed(text), `${text} (${cidr})`).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("allows public IPv4 addresses, dotted, mapped and as URLs", async () => {
    await fc.assert(
      fc.asyncProperty(publicV4, async (n) => {
        count("v4:public");
        expect(guard.isAllowed(dotted(n)), dotted(n)).toBe(true);
        expect(guard.isAllowed(`::ffff:${dotted(n)}`), `::ffff:${dotted(n)}`).toBe(true);
        expect((await checkUrl(`https://${dotted(n)}/hook`, guard)).ok).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("allows public IPv6 addresses in every spelling", () => {
    fc.assert(
      fc.property(publicV6, (n) => {
        for (const text of v6Forms(n)) {
          count("v6:public");
          expect(guard.isAllowed(text), text).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the SSRF guard with the NAT64 and 6to4 ranges exempted", () => {
  // On a NAT64 network an operator may have to allow 64:ff9b::/96; that must not open the
  // private IPv4 space behind it.
  const guard = createAddressGuard(["64:ff9b::/96", "2002::/16"]);

  it("still refuses a blocked IPv4 address carried in a NAT64 or 6to4 address", () => {
    fc.assert(
      fc.property(blockedV4, fc.integer({ min: 0, max: 0xffff }), ({ cidr, n }, suffix) => {
        for (const { form, text } of carriers(n, suffix).filter((c) => /6to4|nat64/.test(c.form))) {
          count(`exempt:${form}`);
          expect(guard.isAllowed(text), `${text} carries ${dotted(n)} (${cidr})`).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("allows a public IPv4 address carried in them", () => {
    fc.assert(
      fc.property(publicV4, fc.integer({ min: 0, max: 0xffff }), (n, suffix) => {
        for (const { form, text } of carriers(n, suffix).filter((c) =>
          /^(6to4|nat64-(dotted|hex|padded))/.test(c.form),
        )) {
          count(`exempt:public-${form}`);
          expect(guard.isAllowed(text), text).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the SSRF guard as the tests configure it (127.0.0.0/8 allowed)", () => {
  const guard = createAddressGuard(["127.0.0.0/8"]);

  it("opens loopback IPv4, and nothing else that is blocked", () => {
    fc.assert(
      fc.property(blockedV4, ({ cidr, n }) => {
        count("test-config:v4");
        expect(guard.isAllowed(dotted(n))).toBe(cidr === "127.0.0.0/8");
      }),
      { numRuns: RUNS },
    );
  });
});
