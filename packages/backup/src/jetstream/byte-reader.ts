/** Reads exact byte counts from a stream of chunks; the decoders below are written on it. */
export class ByteReader {
  #buffer: Buffer = Buffer.alloc(0);
  #done = false;
  /** Bytes consumed so far. */
  offset = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Exactly `n` bytes; null at a clean end (no byte left); throws when the data stops short. */
  async read(n: number): Promise<Buffer | null> {
    while (this.#buffer.length < n && !this.#done) {
      const next = await this.source.next();
      if (next.done) this.#done = true;
      else this.#buffer = Buffer.concat([this.#buffer, next.value]);
    }
    if (this.#buffer.length === 0 && n > 0) return null;
    if (this.#buffer.length < n) {
      throw new TruncatedError(
        `data ends after ${this.offset + this.#buffer.length} bytes, inside a record`,
      );
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes, or a TruncatedError. */
  async readExactly(n: number): Promise<Buffer> {
    const out = await this.read(n);
    if (out === null && n > 0)
      throw new TruncatedError(`data ends after ${this.offset} bytes, expected ${n} more`);
    return out ?? Buffer.alloc(0);
  }

  /** Reads to the end of the source, discarding; returns how many bytes that was. */
  async drain(): Promise<number> {
    let n = this.#buffer.length;
    this.#buffer = Buffer.alloc(0);
    for (;;) {
      const next = await this.source.next();
      if (next.done) break;
      n += next.value.length;
    }
    this.#done = true;
    this.offset += n;
    return n;
  }

  /** Skips `n` bytes without keeping them. */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const step = Math.min(left, 1 << 20);
      await this.readExactly(step);
      left -= step;
    }
  }
}

/** The data ended in the middle of a structure: the file was truncated. */
export class TruncatedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TruncatedError";
  }
}
