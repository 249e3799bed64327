import { describe, expect, it } from "vitest";
import { crc32c, maskedCrc32c } from "./crc32c.js";
import { decodeS2Stream } from "./s2.js";

// A hand-built S2 stream: the identifier, a compressed chunk using a literal, a copy and a
// repeat (S2's extension), an uncompressed chunk and padding.
function chunk(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = type;
  header.writeUIntLE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

function dataChunk(type: 0 | 1, uncompressed: Buffer, payload: Buffer): Buffer {
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(maskedCrc32c(uncompressed));
  return chunk(type, Buffer.concat([crc, payload]));
}

const block = Buffer.from([
  12, // uncompressed length
  0x0c,
  ...Buffer.from("abcd"), // literal of 4
  0x01,
  0x04, // copy: length 4, offset 4
  0x01,
  0x00, // repeat the last offset, length 4
]);
const stream = Buffer.concat([
  chunk(0xff, Buffer.from("S2sTwO")),
  dataChunk(0, Buffer.from("abcdabcdabcd"), block),
  dataChunk(1, Buffer.from("xyz"), Buffer.from("xyz")),
  chunk(0xfe, Buffer.alloc(2)),
]);

async function decode(bytes: Buffer, pieces = 3): Promise<string> {
  async function* source() {
    const size = Math.ceil(bytes.length / pieces);
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }
  const out: Buffer[] = [];
  for await (const b of decodeS2Stream(source())) out.push(b);
  return Buffer.concat(out).toString();
}

describe("S2 stream decoder", () => {
  it("computes CRC-32C (the check value of the standard)", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
  });

  it("decodes literals, copies and repeats across chunks however the bytes arrive", async () => {
    expect(await decode(stream, 1)).toBe("abcdabcdabcdxyz");
    expect(await decode(stream, 7)).toBe("abcdabcdabcdxyz");
  });

  it("fails on a flipped byte, a truncation, a missing identifier or an unknown chunk", async () => {
    const flipped = Buffer.from(stream);
    flipped[14] = (flipped[14] as number) ^ 0x20; // inside the literal
    await expect(decode(flipped)).rejects.toThrow(/checksum mismatch in the chunk at byte 10/);
    await expect(decode(stream.subarray(0, stream.length - 3))).rejects.toThrow(/data ends/);
    await expect(decode(stream.subarray(10))).rejects.toThrow(/no stream identifier/);
    const unknown = Buffer.concat([stream.subarray(0, 10), chunk(0x05, Buffer.alloc(1))]);
    await expect(decode(unknown)).rejects.toThrow(/unknown unskippable chunk type 5/);
    const badCopy = Buffer.from(stream);
    badCopy[20] = 0x09; // copy offset beyond what was decoded
    await expect(decode(badCopy)).rejects.toThrow(/corrupt block|checksum/);
  });
});
