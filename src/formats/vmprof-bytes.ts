/**
 * Bounds-checked little-endian reading for the vmprof reader. Every read of
 * a variable length is checked against the bytes that remain, so a corrupt
 * length can neither run past the end nor make us allocate without bound.
 */

export type VmprofErrorCode = 'truncated' | 'version' | 'corrupt' | 'too-large';

/** A file we cannot read: `code` says why, `offset` where (byte index; -1 when no byte is to blame). */
export class VmprofFormatError extends Error {
  readonly code: VmprofErrorCode;
  readonly offset: number;

  constructor(code: VmprofErrorCode, message: string, offset: number) {
    super(offset >= 0 ? `${message} (at byte ${offset})` : message);
    this.name = 'VmprofFormatError';
    this.code = code;
    this.offset = offset;
  }
}

const TWO_32 = 4294967296;
/** |hi| below this keeps hi * 2^32 + lo an exact double (< 2^53). */
const SAFE_HI = 0x200000;

export class ByteCursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly end: number;
  pos = 0;
  wordSize: 4 | 8 = 8;
  addrSize: 4 | 8 = 8;
  private decoder = new TextDecoder('utf-8');

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length;
  }

  setSizes(wordSize: 4 | 8, addrSize: 4 | 8): void {
    this.wordSize = wordSize;
    this.addrSize = addrSize;
  }

  /** Throws 'truncated' unless `count` more bytes are there. */
  need(count: number, what: string): void {
    if (count > this.end - this.pos) {
      throw new VmprofFormatError('truncated', `${what} record cut short`, this.pos);
    }
  }

  /** A C `long` (count, depth, length); must fit in a safe integer. */
  word(): number {
    this.need(this.wordSize, 'word');
    const value = this.wordAt(this.pos);
    this.pos += this.wordSize;
    return value;
  }

  wordAt(at: number): number {
    if (this.wordSize === 4) {
      return this.view.getInt32(at, true);
    }
    const value = this.i64At(at);
    if (value === null) {
      throw new VmprofFormatError('corrupt', 'a length or count is out of range', at);
    }
    return value;
  }

  /** Signed 64-bit value as a number (approximate beyond 2^53: only for times). */
  i64Number(): number {
    this.need(8, 'number');
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  f64(): number {
    this.need(8, 'number');
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** An address slot as a number (rss values). */
  addrNumber(): number {
    this.need(this.addrSize, 'address');
    if (this.addrSize === 4) {
      const v = this.view.getInt32(this.pos, true);
      this.pos += 4;
      return v;
    }
    return this.i64Number();
  }

  /** An address slot as a map key: exact number when safe, decimal string otherwise. */
  addrKey(): number | string {
    this.need(this.addrSize, 'address');
    const key = addrKeyAt(this.view, this.pos, this.addrSize);
    this.pos += this.addrSize;
    return key;
  }

  /** A `word length, bytes` string. */
  string(): string {
    this.need(this.wordSize, 'string');
    const length = this.word();
    if (length < 0) {
      throw new VmprofFormatError('corrupt', `negative string length ${length}`, this.pos - this.wordSize);
    }
    this.need(length, 'string');
    return this.utf8(length);
  }

  /** A `word length, bytes` string left undecoded: its text's byte offset (the cursor moves past it). */
  stringStart(): number {
    this.need(this.wordSize, 'string');
    const length = this.word();
    if (length < 0) {
      throw new VmprofFormatError('corrupt', `negative string length ${length}`, this.pos - this.wordSize);
    }
    this.need(length, 'string');
    const start = this.pos;
    this.pos += length;
    return start;
  }

  utf8(length: number): string {
    this.need(length, 'string');
    const text = this.decoder.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }

  private i64At(at: number): number | null {
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getInt32(at + 4, true);
    if (hi >= SAFE_HI || hi < -SAFE_HI) {
      return null;
    }
    return hi * TWO_32 + lo;
  }
}

/** Reads an address slot at `at` without a cursor (used when decoding stacks). */
export function addrKeyAt(view: DataView, at: number, addrSize: 4 | 8): number | string {
  if (addrSize === 4) {
    return view.getInt32(at, true);
  }
  const lo = view.getUint32(at, true);
  const hi = view.getInt32(at + 4, true);
  if (hi < SAFE_HI && hi >= -SAFE_HI) {
    return hi * TWO_32 + lo;
  }
  return view.getBigInt64(at, true).toString();
}

/** vmprof's native tag: a positive odd value (function start address | 1). */
export function isNativeKey(key: number | string): boolean {
  if (typeof key === 'number') {
    return key > 0 && key % 2 === 1;
  }
  return !key.startsWith('-') && /[13579]$/.test(key);
}

/** Hex form of an address key, for names like `<native symbol 0x…>`. */
export function hexKey(key: number | string): string {
  if (typeof key === 'number') {
    return key < 0 ? `-0x${(-key).toString(16)}` : `0x${key.toString(16)}`;
  }
  const big = BigInt(key);
  return big < BigInt(0) ? `-0x${(-big).toString(16)}` : `0x${big.toString(16)}`;
}
