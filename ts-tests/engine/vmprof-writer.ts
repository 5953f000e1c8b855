/**
 * Writes small vmprof files for tests, record by record, in the layout of
 * vmprof's writer (see docs/vmprof-format.md). Values are bigint so
 * tests can use addresses beyond 2^53 and negative entries.
 */

export interface ISampleSpec {
  /** Stack entries leaf first, exactly as written to the file. */
  stack: Array<bigint | number>;
  thread?: bigint | number;
  rss?: number;
  /** version 7: ns timestamp (0.6.0 layout) or seconds (fork layout). */
  time?: number;
}

export class VmprofWriter {
  private parts: number[] = [];

  constructor(
    readonly wordSize: 4 | 8 = 8,
    readonly addrSize: 4 | 8 = 8,
    readonly version = 6,
    readonly flags = 0,
    readonly interpreter = 'cpython',
    readonly periodMicros = 1000,
    readonly layout: 'count-time' | 'double-time' = 'count-time'
  ) {
    const win64 = wordSize === 4 && addrSize === 8 ? 1 : 0;
    [0, 3, 0, periodMicros, win64].forEach(w => this.word(w));
  }

  header(): this {
    this.u8(0x05).u8(0).u8(this.version);
    if (this.version >= 4) {
      this.u8(this.flags);
    }
    const name = new TextEncoder().encode(this.interpreter);
    this.u8(name.length);
    name.forEach(b => this.u8(b));
    return this;
  }

  startTime(seconds: number, micros = 0): this {
    this.u8(0x06).i64(seconds).i64(micros).i64(0);
    return this;
  }

  meta(key: string, value: string): this {
    this.u8(0x07).str(key).str(value);
    return this;
  }

  sample(s: ISampleSpec): this {
    this.u8(0x01);
    if (this.version >= 7 && this.layout === 'double-time') {
      this.f64(s.time ?? 0);
    } else {
      this.word(1);
    }
    this.word(s.stack.length);
    s.stack.forEach(a => this.addr(a));
    if (this.version >= 1) {
      this.addr(s.thread ?? 7);
    }
    if (this.flags & 1) {
      this.addr(s.rss ?? 0);
    }
    if (this.version >= 7 && this.layout === 'count-time') {
      this.i64(s.time ?? 0);
    }
    return this;
  }

  name(id: bigint | number, text: string, marker: 0x02 | 0x08 = 0x02): this {
    this.u8(marker).addr(id).str(text);
    return this;
  }

  trailer(seconds: number, micros = 0): this {
    this.u8(0x03);
    if (this.version >= 5) {
      this.i64(seconds).i64(micros).i64(0);
    }
    return this;
  }

  /** Bytes written so far: the offset of the next record. */
  get offset(): number {
    return this.parts.length;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) {
      this.parts.push(bytes[i]);
    }
    return this;
  }

  private int(v: bigint | number, size: number): this {
    const b = new Uint8Array(size);
    const dv = new DataView(b.buffer);
    if (size === 4) {
      dv.setInt32(0, Number(v), true);
    } else {
      dv.setBigInt64(0, BigInt(v), true);
    }
    return this.raw(b);
  }

  word(v: bigint | number): this {
    return this.int(v, this.wordSize);
  }

  addr(v: bigint | number): this {
    return this.int(v, this.addrSize);
  }

  i64(v: number): this {
    return this.int(BigInt(Math.round(v)), 8);
  }

  f64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return this.raw(b);
  }

  str(text: string): this {
    const b = new TextEncoder().encode(text);
    this.word(b.length);
    return this.raw(b);
  }
}
