import { ByteReader } from "./byte-reader.js";

/** One member of a tar archive. */
export interface TarEntry {
  name: string;
  size: number;
  /** The typeflag: "0" file, "5" directory, … */
  type: string;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarFormatError";
  }
}

const BLOCK = 512;

/**
 * Walks a tar archive (ustar, with PAX and GNU long names) and yields its members, checking each
 * header's checksum and that the archive ends with its end-of-archive marker.
 */
export async function* tarEntries(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  for (;;) {
    const at = reader.offset;
    const header = await reader.read(BLOCK);
    if (header === null) throw new TarFormatError("archive ends without its end marker");
    if (header.every((b) => b === 0)) {
      // End of archive. Read what follows (zero padding) so every byte of the file is checked.
      await reader.drain();
      return;
    }
    if (checksumOf(header) !== octal(header.subarray(148, 156)))
      throw new TarFormatError(`bad header checksum at byte ${at}`);
    const size = sizeOf(header);
    const type = String.fromCharCode(header[156] || 0x30);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x" || type === "L") {
      const data = (await reader.readExactly(padded)).subarray(0, size).toString("utf8");
      longName = type === "L" ? data.replace(/\0.*$/s, "") : (paxPath(data) ?? longName);
      continue;
    }
    if (type === "g") {
      await reader.skip(padded);
      continue;
    }
    const name = longName ?? ustarName(header);
    longName = undefined;
    await reader.skip(padded);
    yield { name, size, type };
  }
}

function checksumOf(header: Buffer): number {
  let sum = 0;
  // eslint-disable-next-line security/detect-object-injection -- numeric loop index into a Buffer
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
  return sum;
}

function cstring(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString("utf8");
}

function octal(bytes: Buffer): number {
  const text = cstring(bytes).trim();
  if (!/^[0-7]*$/.test(text)) return Number.NaN;
  return text ? Number.parseInt(text, 8) : 0;
}

function sizeOf(header: Buffer): number {
  const field = header.subarray(124, 136);
  if (((field[0] as number) & 0x80) === 0) return octal(field);
  let n = (field[0] as number) & 0x7f; // base-256, for sizes beyond 8 GiB
  // eslint-disable-next-line security/detect-object-injection -- numeric loop index into a Buffer
  for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] as number);
  return n;
}

function ustarName(header: Buffer): string {
  const name = cstring(header.subarray(0, 100));
  const magic = header.subarray(257, 262).toString("latin1");
  const prefix = magic === "ustar" ? cstring(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function paxPath(records: string): string | undefined {
  for (const line of records.split("\n")) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}
