import { describe, expect, it } from "vitest";
import { createAddressGuard, parseCidrs } from "./index.js";

describe("createAddressGuard, default (nothing allowed)", () => {
  const guard = createAddressGuard();

  it.each([
    ["127.0.0.1", "127.0.0.0/8 (loopback)"],
    ["::1", "::1/128 (loopback)"],
    ["::ffff:127.0.0.1", "127.0.0.0/8 (loopback)"],
    ["::ffff:7f00:1", "127.0.0.0/8 (loopback)"],
    ["0:0:0:0:0:ffff:7f00:0001", "127.0.0.0/8 (loopback)"],
    ["[::1]", "::1/128 (loopback)"],
    ["10.1.2.3", "10.0.0.0/8 (private)"],
    ["172.31.255.255", "172.16.0.0/12 (private)"],
    ["192.168.1.1", "192.168.0.0/16 (private)"],
    ["169.254.169.254", "169.254.0.0/16 (link-local)"],
    ["100.64.0.1", "100.64.0.0/10 (shared address space (CGNAT))"],
    ["2002:7f00:1::1", "127.0.0.0/8 (loopback)"],
    ["64:ff9b::7f00:1", "127.0.0.0/8 (loopback)"],
    ["64:ff9b::127.0.0.1", "127.0.0.0/8 (loopback)"],
    ["64:ff9b:1::a00:1", "10.0.0.0/8 (private)"],
    ["fd00::1", "fc00::/7 (unique local)"],
    ["fe80::1%eth0", "fe80::/10 (link-local)"],
    ["ff02::1", "ff00::/8 (multicast)"],
    ["0.0.0.0", "0.0.0.0/8 (this network)"],
    ["::", "::/128 (unspecified)"],
    ["::7f00:1", "::/96 (IPv4-compatible (deprecated))"],
    ["224.0.0.1", "224.0.0.0/4 (multicast)"],
    ["255.255.255.255", "240.0.0.0/4 (reserved and broadcast)"],
    ["198.18.0.1", "198.18.0.0/15 (benchmarking)"],
    ["192.0.2.1", "192.0.2.0/24 (documentation)"],
    ["2001:db8::1", "2001:db8::/32 (documentation)"],
    ["3fff::1", "3fff::/20 (documentation)"],
    ["100::1", "100::/64 (discard-only)"],
    ["5f00::1", "5f00::/16 (segment routing (SRv6))"],
    ["2001::1", "2001::/23 (IETF protocol assignments)"],
    ["2002:5db8:d822::1", "2002::/16 (6to4)"],
    ["64:ff9b::5db8:d822", "64:ff9b::/96 (NAT64)"],
  ])("refuses %s (%s)", (ip, range) => {
    const verdict = guard.check(ip);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toContain(range);
    expect(guard.isAllowed(ip)).toBe(false);
  });

  it.each(["93.184.216.34", "2606:4700::1111", "::ffff:93.184.216.34", "8.8.8.8", "1.1.1.1"])(
    "allows the public address %s",
    (ip) => {
      expect(guard.check(ip)).toEqual({ ok: true });
      expect(guard.isAllowed(ip)).toBe(true);
    },
  );

  it.each(["localhost", "127.1", "0x7f.0.0.1", "2130706433", "", "1.2.3.4.5", "::g"])(
    "refuses %j, which is not an IP address",
    (text) => {
      const verdict = guard.check(text);
      expect(verdict).toEqual({
        ok: false,
        reason: `${JSON.stringify(text)} is not an IP address`,
      });
    },
  );

  it("names the IPv4 address behind a mapped address", () => {
    expect(guard.check("::ffff:7f00:1")).toEqual({
      ok: false,
      reason: "::ffff:7f00:1 is 127.0.0.1, which is in 127.0.0.0/8 (loopback)",
    });
  });

  it("names the embedded IPv4 address of a 6to4 address", () => {
    expect(guard.check("2002:7f00:1::1")).toEqual({
      ok: false,
      reason: "2002:7f00:1::1 carries 127.0.0.1, which is in 127.0.0.0/8 (loopback)",
    });
  });
});

describe("createAddressGuard with allowed CIDRs", () => {
  it("exempts only the allowed ranges", () => {
    const guard = createAddressGuard(["127.0.0.0/8"]);
    expect(guard.isAllowed("127.0.0.1")).toBe(true);
    expect(guard.isAllowed("127.9.9.9")).toBe(true);
    expect(guard.isAllowed("::ffff:127.0.0.1")).toBe(true);
    expect(guard.isAllowed("10.0.0.1")).toBe(false);
    expect(guard.isAllowed("::1")).toBe(false);
    // Exempting loopback does not open the 6to4 and NAT64 ranges that carry it.
    expect(guard.isAllowed("2002:7f00:1::1")).toBe(false);
    expect(guard.isAllowed("64:ff9b::7f00:1")).toBe(false);
  });

  it("exempts IPv6 ranges", () => {
    const guard = createAddressGuard(["::1/128", "fd00::/8"]);
    expect(guard.isAllowed("::1")).toBe(true);
    expect(guard.isAllowed("fd12::3")).toBe(true);
    expect(guard.isAllowed("fc00::1")).toBe(false);
    expect(guard.isAllowed("127.0.0.1")).toBe(false);
  });

  it("still checks the IPv4 address inside an exempted NAT64 range", () => {
    const guard = createAddressGuard(["64:ff9b::/96"]);
    expect(guard.isAllowed("64:ff9b::5db8:d822")).toBe(true);
    expect(guard.isAllowed("64:ff9b::7f00:1")).toBe(false);
    expect(guard.isAllowed("64:ff9b::a9fe:a9fe")).toBe(false);
  });

  it("throws a readable error naming a bad entry", () => {
    expect(() => createAddressGuard(["127.0.0.0/8", "localhost/8"])).toThrow(
      'invalid CIDR "localhost/8": "localhost" is not an IP address',
    );
  });
});

describe("parseCidrs", () => {
  it("parses IPv4, IPv6 and IPv4-mapped ranges", () => {
    expect(parseCidrs(["127.0.0.0/8", "::1/128", "::ffff:10.0.0.0/104", " 0.0.0.0/0 "])).toEqual([
      { text: "127.0.0.0/8", address: "127.0.0.0", family: "ipv4", prefix: 8 },
      { text: "::1/128", address: "::1", family: "ipv6", prefix: 128 },
      { text: "10.0.0.0/8", address: "10.0.0.0", family: "ipv4", prefix: 8 },
      { text: "0.0.0.0/0", address: "0.0.0.0", family: "ipv4", prefix: 0 },
    ]);
  });

  it.each([
    ["127.0.0.1", /expected <address>\/<prefix length>/],
    ["127.0.0.0/33", /prefix length must be 0-32/],
    ["::/129", /prefix length must be 0-128/],
    ["10.0.0.1/8", /host bits are set/],
    ["fe80::%eth0/10", /is not an IP address/],
    ["10.0.0.0/8/1", /expected/],
    ["10.0.0.0/x", /expected/],
  ])("refuses %j", (entry, message) => {
    expect(() => parseCidrs(["::1/128", entry])).toThrow(`invalid CIDR ${JSON.stringify(entry)}`);
    expect(() => parseCidrs([entry])).toThrow(message);
  });
});
