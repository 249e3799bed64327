import { createHash, randomFillSync } from "node:crypto";

// Random bytes are drawn 128 ids at a time, as `crypto.randomUUID` does: a `randomBytes(16)` per
// id cost about 9 µs (the processor and the notifier make one per stored event), a slice of the
// pool well under 1 µs. Every slice is used once; the pool is refilled when it runs out.
const POOL_IDS = 128;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolOffset = pool.length;

/**
 * A UUIDv7: time-ordered, so ids sort by creation and index inserts stay local.
 * `now` is injectable so tests are exact.
 */
export function uuidv7(now: number = Date.now()): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const b = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  b.writeUIntBE(now, 0, 6);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(b);
}

/**
 * A deterministic UUID (version 8, name-based on SHA-256) for `parts`. The same webhook from the
 * same source always gets the same id, which is what makes redeliveries idempotent across the
 * gateway, JetStream's `Nats-Msg-Id` window and the event store.
 */
export function deterministicUuid(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(`${p.length}:${p}`);
  const b = h.digest().subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(b);
}

function formatUuid(b: Buffer): string {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
