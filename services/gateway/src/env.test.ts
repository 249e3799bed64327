import { describe, expect, it } from "vitest";
import { GatewayEnv } from "./env.js";

// TRUST_PROXY (F-14): Express's `trust proxy` values, off by default, never "trust everyone".

const trustProxy = (value?: string) => GatewayEnv.shape.TRUST_PROXY.safeParse(value);

describe("gateway environment: TRUST_PROXY", () => {
  it("is off by default and for false, 0 or empty: the TCP peer is the client", () => {
    expect(GatewayEnv.parse({}).TRUST_PROXY).toBe(false);
    for (const off of ["false", "0", "", " "]) expect(trustProxy(off).data).toBe(false);
  });

  it("takes a hop count", () => {
    expect(trustProxy("1").data).toBe(1);
    expect(trustProxy("2").data).toBe(2);
  });

  it("takes the proxies' CIDRs, normalised", () => {
    expect(trustProxy("10.0.0.0/8, fd00::/8").data).toEqual(["10.0.0.0/8", "fd00::/8"]);
    expect(trustProxy("::ffff:192.168.1.0/120").data).toEqual(["192.168.1.0/24"]);
  });

  it("refuses true, addresses without a prefix, and anything else, saying what to give", () => {
    const message = (value: string) => trustProxy(value).error?.issues[0]?.message ?? "";
    expect(message("true")).toMatch(/a client could choose its own address/);
    expect(message("10.0.0.1")).toMatch(/expected <address>\/<prefix length>/);
    expect(message("10.0.0.1")).toMatch(/expected a hop count \(e\.g\. 1\) or the proxies' CIDRs/);
    expect(message("10.0.0.1/8")).toMatch(/host bits are set/);
    expect(message("loopback")).toMatch(/expected <address>\/<prefix length>/);
    expect(message("proxy.internal/8")).toMatch(/is not an IP address/);
    expect(message("-1")).not.toBe("");
  });
});
