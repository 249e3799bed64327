import { randomFillSync } from "node:crypto";
import { INVALID_SPANID, INVALID_TRACEID } from "@opentelemetry/api";
import type { IdGenerator } from "@opentelemetry/sdk-trace";

// Every request makes a trace id and two span ids, sampled or not (a sampled-out trace still
// carries its ids to the next service). The SDK's generator fills a buffer with Math.random per
// id; here ids are slices of a pool of cryptographic random bytes, refilled 4 KiB at a time.
const POOL_BYTES = 4096;

export class PooledIdGenerator implements IdGenerator {
  readonly #pool = Buffer.alloc(POOL_BYTES);
  #offset = POOL_BYTES;

  generateTraceId(): string {
    return this.#hex(16);
  }

  generateSpanId(): string {
    return this.#hex(8);
  }

  /** `bytes` random bytes as lowercase hex, never all zero (an invalid id in W3C trace context). */
  #hex(bytes: number): string {
    for (;;) {
      if (this.#offset + bytes > POOL_BYTES) {
        randomFillSync(this.#pool);
        this.#offset = 0;
      }
      const start = this.#offset;
      this.#offset += bytes;
      const id = this.#pool.toString("hex", start, start + bytes);
      if (id !== INVALID_TRACEID && id !== INVALID_SPANID) return id;
    }
  }
}
