import { describe, expect, it } from "vitest";
import { PooledIdGenerator } from "./id-generator.js";

describe("PooledIdGenerator", () => {
  it("makes W3C trace and span ids: lowercase hex of 16 and 8 bytes, never all zero", () => {
    const ids = new PooledIdGenerator();
    for (let i = 0; i < 1000; i++) {
      expect(ids.generateTraceId()).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
      expect(ids.generateSpanId()).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    }
  });

  it("never hands out the same bytes twice, across pool refills", () => {
    const ids = new PooledIdGenerator();
    // 4 KiB pools: 3,000 ids of 16 + 8 bytes span about 18 of them
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      seen.add(ids.generateTraceId());
      seen.add(ids.generateSpanId());
    }
    expect(seen.size).toBe(6000);
  });
});
