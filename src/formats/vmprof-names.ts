/**
 * Which Python name a code address carries at a given point of a vmprof file.
 *
 * Format: https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 * (0x02 records: `addr id, word len, bytes`; see docs/architecture.md, "Code
 * addresses reused while profiling").
 *
 * vmprof keys Python frames by the code object's address and writes a code
 * object's name when the object dies (or at the stop, for the live ones). When
 * a code object dies while profiling and a new one gets its address, one
 * address has several names, each valid for part of the run. Each sample is
 * named by the code object that lived there when the sample was taken:
 *
 * - A name record names the samples *before* it: vmprof writes it when the code
 *   object dies, and the live objects' names come last. So a sample takes the
 *   first name for its address that follows it in the file (the last one if
 *   none does, as in files that put names first).
 *   Example: `sample(A) sample(A) name(A, f) sample(A) name(A, g)` → f, f, g.
 * - vmprof keeps death names in a buffer that is written when full or at the
 *   stop, so a death name can land after samples of the next code object at
 *   that address: the rule above then gives them the dead object's name. Our
 *   kernel therefore records *births*: the file offset at which each code
 *   object it runs (cell code, Numba trampolines) started to be used, in the
 *   meta key `code_births` (JSON `[[id, offset, name], ...]`). From its birth
 *   on, an address carries the born object's name (the kernel keeps it alive
 *   until the stop, so nothing else takes the address meanwhile).
 *   Example: `sample(A)@100 birth(A, g)@150 sample(A)@200 name(A, f)@300
 *   name(A, g)@400` → f, g (without the birth: f, f).
 */

import { GrowableFloat64, GrowableInt32 } from '../model/growable';
import { PairTable } from '../model/pair-table';

/** An address as a number when it fits in 2^53 (the usual case), else a decimal string. */
export type AddrKey = number | string;

/** The meta key under which our kernel writes code births. */
export const BIRTHS_META_KEY = 'code_births';

interface IHistory {
  at: number[];
  names: string[];
}

export class NameTable {
  /**
   * Per address, an index into the per-name arrays below (`firstAt`: where
   * its first record starts), in typed arrays (AddrIndex), as a file can hold
   * millions of names.
   */
  private index = new AddrIndex();
  private count = 0;
  /**
   * Each name's text is decoded from the file when first asked for: a file
   * names every live code object (hundreds of thousands after a large
   * import), and most are never sampled. Kept: its length; it starts
   * `textOffset` bytes after its record (the record's fixed header), so
   * that offset is kept once, not per name.
   */
  private decoded = new Map<number, string>();
  private textLength = new GrowableInt32();
  private textOffset = -1;
  /** Names whose text does not start `textOffset` after their record: none in vmprof's layout. */
  private textStartOf = new Map<number, number>();
  private decoder = new TextDecoder('utf-8');
  private firstAt = new GrowableFloat64();
  /** Addresses with two or more different names: every record, in file order. */
  private history = new Map<AddrKey, IHistory>();
  private births = new Map<AddrKey, { at: number; name: string }>();

  /** `bytes`: the file, which holds the names' texts. */
  constructor(private bytes: Uint8Array) {}

  /** A 0x02 record read at byte `at`, its name's text at bytes [start, start + length). */
  addText(id: AddrKey, start: number, length: number, at: number): void {
    const i = this.index.get(id);
    if (i === undefined) {
      const index = this.count++;
      this.index.set(id, index);
      if (this.textOffset < 0) {
        this.textOffset = start - at;
      } else if (start - at !== this.textOffset) {
        this.textStartOf.set(index, start);
      }
      this.textLength.push(length);
      this.firstAt.push(at);
      return;
    }
    this.rename(id, i, this.decode(start, length), at);
  }

  private decode(start: number, length: number): string {
    return this.decoder.decode(this.bytes.subarray(start, start + length));
  }

  /** The name at index `i`, decoded on first use. */
  private nameOf(i: number): string {
    let name = this.decoded.get(i);
    if (name === undefined) {
      const start = this.textStartOf.get(i) ?? this.firstAt.data[i] + this.textOffset;
      name = this.decode(start, this.textLength.data[i]);
      this.decoded.set(i, name);
    }
    return name;
  }

  /** A further record for an address already named. */
  private rename(id: AddrKey, i: number, name: string, at: number): void {
    const old = this.nameOf(i);
    let h = this.history.get(id);
    if (h === undefined) {
      if (old === name) {
        return;
      }
      h = { at: [this.firstAt.data[i]], names: [old] };
      this.history.set(id, h);
    }
    h.at.push(at);
    h.names.push(name);
    this.decoded.set(i, name);
  }

  private last(id: AddrKey): string | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.nameOf(i);
  }

  /**
   * Reads the kernel's `code_births` meta value; returns a warning when it is
   * not what our kernel writes (then it is ignored, and names follow records).
   */
  addBirths(json: string): string | null {
    let entries: unknown;
    try {
      entries = JSON.parse(json);
    } catch {
      return `the "${BIRTHS_META_KEY}" meta value is not JSON; it was ignored`;
    }
    if (!Array.isArray(entries) || !entries.every(isBirth)) {
      return `the "${BIRTHS_META_KEY}" meta value is not a list of [id, offset, name]; it was ignored`;
    }
    for (const [id, at, name] of entries as Array<[number | string, number, string]>) {
      this.births.set(typeof id === 'string' ? normalKey(id) : id, { at, name });
    }
    return null;
  }

  /** Addresses with a name. */
  get size(): number {
    return this.index.size;
  }

  /** Is the name of `id` the same for every sample? */
  isFixed(id: AddrKey): boolean {
    return !this.history.has(id) && !this.births.has(id);
  }

  /** The name of `id` for every sample (only for fixed ids), or undefined if unnamed. */
  fixedName(id: AddrKey): string | undefined {
    return this.last(id);
  }

  /** The name of `id` for a sample whose record starts at byte `at`. */
  nameAt(id: AddrKey, at: number): string | undefined {
    const birth = this.births.get(id);
    if (birth !== undefined && at >= birth.at) {
      return birth.name;
    }
    const h = this.history.get(id);
    if (h === undefined) {
      return this.last(id);
    }
    // First record after the sample (binary search: records are in file order).
    let lo = 0;
    let hi = h.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h.at[mid] > at) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return h.names[Math.min(lo, h.names.length - 1)];
  }

  /** Several names and no birth: the names of samples near a record may be off (see above). */
  isUncertain(id: AddrKey): boolean {
    return this.history.has(id) && !this.births.has(id);
  }

  /** Addresses whose names change during the file (one entry each). */
  timedIds(): AddrKey[] {
    const out = new Set<AddrKey>(this.history.keys());
    this.births.forEach((_, id) => out.add(id));
    return Array.from(out);
  }
}

/**
 * Address → index. Addresses that are numbers (all but those past 2^53) sit
 * in a typed-array table keyed by their high and low 32 bits: a Map costs a
 * heap number per key and ~60 bytes per entry, and a file can name hundreds
 * of thousands of code objects.
 */
class AddrIndex {
  private numbers = new PairTable();
  private strings = new Map<string, number>();

  get size(): number {
    return this.numbers.size + this.strings.size;
  }

  get(id: AddrKey): number | undefined {
    if (typeof id === 'string') {
      return this.strings.get(id);
    }
    const i = this.numbers.get(Math.floor(id / 0x100000000) | 0, id | 0);
    return i < 0 ? undefined : i;
  }

  set(id: AddrKey, index: number): void {
    if (typeof id === 'string') {
      this.strings.set(id, index);
    } else {
      this.numbers.set(Math.floor(id / 0x100000000) | 0, id | 0, index);
    }
  }
}

function isBirth(e: unknown): boolean {
  return (
    Array.isArray(e) && e.length === 3 &&
    (Number.isSafeInteger(e[0]) || (typeof e[0] === 'string' && /^-?\d+$/.test(e[0]))) &&
    Number.isSafeInteger(e[1]) && e[1] >= 0 && typeof e[2] === 'string'
  );
}

/** A decimal id as the reader keys it: a number when exact, else the decimal string. */
function normalKey(id: string): AddrKey {
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : BigInt(id).toString();
}
