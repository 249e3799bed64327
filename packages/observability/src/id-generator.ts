import { randomFillSync } from "node:crypto";
import { INVALID_SPANID, INVALID_TRACEID } from "@opentelemetry/api";
import type { IdGenerator } from "@opentelemetry/sdk-trace";

// Every request makes a trace id and a span id, sampled or not (a sampled-out trace still
// carries its ids to the next service). The SDK's generator fills a buffer with Math.random per
// id; here ids are slices of a pool of cryptographic random bytes, refilled 4 KiB at a time and
// turned into hex once per refill: one hex conversion per id cost three times as much. (An id is
// a slice of that string and keeps its 8 KiB alive while it lives: while a kept span waits for
// export, at most.)
const POOL_BYTES = 4096;
const POOL_CHARS = POOL_BYTES * 2;

export class PooledIdGenerator implements IdGenerator {
  readonly #bytes = Buffer.alloc(POOL_BYTES);
  #pool = "";
  #offset = POOL_CHARS;

  generateTraceId(): string {
    return this.#hex(32);
  }

  generateSpanId(): string {
    return this.#hex(16);
  }

  /** `chars` random lowercase hex digits, never all zero (an invalid id in W3C trace context). */
  #hex(chars: number): string {
    for (;;) {
      if (this.#offset + chars > POOL_CHARS) {
        randomFillSync(this.#bytes);
        this.#pool = this.#bytes.toString("hex");
        this.#offset = 0;
      }
      const start = this.#offset;
      this.#offset += chars;
      const id = this.#pool.slice(start, start + chars);
      if (id !== INVALID_TRACEID && id !== INVALID_SPANID) return id;
    }
  }
}
