import { ByteReader } from "./byte-reader.js";
import { maskedCrc32c } from "./crc32c.js";

/**
 * A reader of the S2 stream format (klauspost/compress/s2, a Snappy extension) that nats-server
 * writes its snapshots in. It checks what the format can check: the stream identifier, every
 * chunk's length, each block's encoding, and the CRC-32C of every chunk's uncompressed data.
 * nats.js has no S2 codec; this one only decodes (that is all verification needs).
 */

const MAX_BLOCK = 8 << 20; // S2 blocks are at most 4 MiB; allow slack, refuse nonsense.
const IDENTIFIERS = new Set(["S2sTwO", "sNaPpY"]);

export class S2FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "S2FormatError";
  }
}

/** Yields the uncompressed bytes of an S2 (or Snappy-framed) stream, chunk by chunk. */
export async function* decodeS2Stream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let first = true;
  for (;;) {
    const at = reader.offset;
    const header = await reader.read(4);
    if (header === null) break;
    const type = header[0] as number;
    const length = header.readUIntLE(1, 3);
    const body = await reader.readExactly(length);
    if (first && type !== 0xff) throw new S2FormatError("not an S2 stream: no stream identifier");
    first = false;
    if (type === 0xff) {
      if (!IDENTIFIERS.has(body.toString("latin1")))
        throw new S2FormatError(`bad stream identifier at byte ${at}`);
    } else if (type === 0x00 || type === 0x01) {
      if (length < 4) throw new S2FormatError(`chunk at byte ${at} is too short`);
      const data = type === 0x00 ? decodeBlock(body.subarray(4), at) : body.subarray(4);
      if (maskedCrc32c(data) !== body.readUInt32LE(0))
        throw new S2FormatError(`checksum mismatch in the chunk at byte ${at}`);
      yield data;
    } else if (type >= 0x02 && type <= 0x7f) {
      throw new S2FormatError(`unknown unskippable chunk type ${type} at byte ${at}`);
    }
    // 0x80-0xfe: padding and skippable chunks (such as S2's index) carry no data.
  }
  if (first) throw new S2FormatError("empty file");
}

/** Decodes one S2 block: a varint length, then literals and copies (S2 adds repeat offsets). */
export function decodeBlock(src: Buffer, at = 0): Buffer {
  const corrupt = (why: string) => new S2FormatError(`corrupt block at byte ${at}: ${why}`);
  let s = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (s >= src.length || shift > 28) throw corrupt("bad length");
    const b = src[s++] as number;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > MAX_BLOCK) throw corrupt(`block of ${length} bytes`);
  const dst = Buffer.alloc(length);
  let d = 0;
  let offset = 0;
  const byte = (i: number) => {
    if (i >= src.length) throw corrupt("ends inside an element");
    // eslint-disable-next-line security/detect-object-injection -- numeric index into a Uint8Array, bounds-checked on the line above
    return src[i] as number;
  };
  while (s < src.length) {
    const tag = byte(s);
    let n: number;
    if ((tag & 3) === 0) {
      let x = tag >>> 2;
      if (x < 60) s += 1;
      else {
        const extra = x - 59;
        x = 0;
        for (let i = 0; i < extra; i++) x += byte(s + 1 + i) * 2 ** (8 * i);
        s += 1 + extra;
      }
      n = x + 1;
      if (n > length - d || n > src.length - s) throw corrupt("literal overruns");
      src.copy(dst, d, s, s + n);
      d += n;
      s += n;
      continue;
    }
    if ((tag & 3) === 1) {
      n = (tag >>> 2) & 7;
      const o = ((tag & 0xe0) << 3) | byte(s + 1);
      s += 2;
      if (o === 0) {
        // A repeat of the last offset; lengths 5-7 say how many extra bytes hold the length.
        if (n === 5) n = byte(s++) + 4;
        else if (n === 6) {
          n = (byte(s) | (byte(s + 1) << 8)) + (1 << 8);
          s += 2;
        } else if (n === 7) {
          n = (byte(s) | (byte(s + 1) << 8) | (byte(s + 2) << 16)) + (1 << 16);
          s += 3;
        }
      } else offset = o;
      n += 4;
    } else if ((tag & 3) === 2) {
      n = 1 + (tag >>> 2);
      offset = byte(s + 1) | (byte(s + 2) << 8);
      s += 3;
    } else {
      n = 1 + (tag >>> 2);
      offset = (byte(s + 1) | (byte(s + 2) << 8) | (byte(s + 3) << 16) | (byte(s + 4) << 24)) >>> 0;
      s += 5;
    }
    if (offset <= 0 || d < offset || n > length - d) throw corrupt("copy out of range");
    // eslint-disable-next-line security/detect-object-injection -- numeric indexes into a Uint8Array, range-checked on the line above
    for (let end = d + n; d < end; d++) dst[d] = dst[d - offset] as number;
  }
  if (d !== length) throw corrupt(`decoded ${d} of ${length} bytes`);
  return dst;
}
