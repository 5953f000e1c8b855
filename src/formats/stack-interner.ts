/**
 * Interning of raw stacks for the vmprof reader (see vmprof-records.ts).
 */

import { GrowableFloat64, GrowableInt32 } from '../model/growable';

/**
 * Interns stacks by their raw bytes: a hash over the 32-bit words, an
 * open-addressing table, and a byte comparison against the first
 * occurrence, made only when hash and length match. Real profiles have few
 * distinct stacks and many samples.
 */
export class StackInterner {
  offsets = new GrowableFloat64();
  depths = new GrowableInt32();
  private lengths = new GrowableInt32();
  /**
   * Open addressing, two Int32 per slot: the stack's hash, then its index + 1
   * (0: empty). The hash sits in the slot so that a probe reads one cache line.
   */
  private table = new Int32Array(2048);
  private mask = 1023;
  /**
   * Hash every 32-bit word (4), or of 8-byte entries only the low words (8):
   * half the reads, and real stacks differ in their entries' low words. The
   * byte comparison keeps interning exact either way; a chain of failed
   * comparisons (stacks that differ only in high words) switches to every word.
   */
  private hashStep = 8;
  /** Comparisons that found different bytes under an equal hash and length. */
  private collisions = 0;

  intern(view: DataView, start: number, length: number, depth: number): number {
    return this.find(view, start, length, depth, this.hash(view, start, length));
  }

  /**
   * `intern`, for a sample whose previous sample (of the same thread) had
   * stack `prevIndex` at `prevStart`: consecutive samples often repeat a
   * stack, so that one is compared first, word by word in the hashing pass
   * (its bytes were just read: sequential, in cache), before any probe.
   */
  internAfter(view: DataView, start: number, length: number, depth: number, prevStart: number, prevIndex: number): number {
    if (this.lengths.data[prevIndex] !== length || (length & 7) !== 0 || this.hashStep !== 8) {
      return this.intern(view, start, length, depth);
    }
    // Real stacks that differ mostly differ in their innermost entry: compare the rest only then.
    if (
      length === 0 ||
      view.getInt32(start, true) !== view.getInt32(prevStart, true) ||
      view.getInt32(start + 4, true) !== view.getInt32(prevStart + 4, true)
    ) {
      return this.find(view, start, length, depth, this.hash(view, start, length));
    }
    let h = length | 0;
    let same = true;
    for (let i = 0; i < length; i += 8) {
      const low = view.getInt32(start + i, true);
      h = ((h << 5) | (h >>> 27)) ^ Math.imul(low, 0x9e3779b1);
      same = same && low === view.getInt32(prevStart + i, true) && view.getInt32(start + i + 4, true) === view.getInt32(prevStart + i + 4, true);
    }
    return same ? prevIndex : this.find(view, start, length, depth, mix(h));
  }

  /** The index of the stack at `start` whose hash is `h`, added if new. */
  private find(view: DataView, start: number, length: number, depth: number, h: number): number {
    const table = this.table;
    let slot = h & this.mask;
    for (;;) {
      const entry = table[2 * slot + 1];
      if (entry === 0) {
        break;
      }
      const index = entry - 1;
      if (table[2 * slot] === h && this.lengths.data[index] === length) {
        if (sameBytes(view, this.offsets.data[index], start, length)) {
          return index;
        }
        this.collisions++;
      }
      slot = (slot + 1) & this.mask;
    }
    const index = this.depths.length;
    this.offsets.push(start);
    this.depths.push(depth);
    this.lengths.push(length);
    table[2 * slot] = h;
    table[2 * slot + 1] = index + 1;
    if (this.collisions > 64 + (index >> 6) && this.hashStep === 8) {
      this.hashStep = 4;
      this.rebuild(view, this.table.length);
    } else if ((index + 1) * 4 > this.mask * 3) {
      // Up to 3/4 full: a smaller table stays in cache longer (one with 300,000 stacks is 4 MB, not 8).
      this.rebuild(view, this.table.length * 2);
    }
    return index;
  }

  private hash(view: DataView, start: number, length: number): number {
    // The multiply is off the chain from word to word (a rotate and an xor are on
    // it), so the loop runs nearly as fast as reading the words; mixed at the end.
    let h = length | 0;
    const step = (length & 7) === 0 ? this.hashStep : 4;
    for (let i = 0; i < length; i += step) {
      h = ((h << 5) | (h >>> 27)) ^ Math.imul(view.getInt32(start + i, true), 0x9e3779b1);
    }
    return mix(h);
  }

  /** A table of `size` Int32 (size / 2 slots) holding every stack; hashed anew after a change of hashStep. */
  private rebuild(view: DataView, size: number): void {
    const old = this.table;
    const rehash = size === old.length;
    const table = new Int32Array(size);
    const mask = size / 2 - 1;
    for (let at = 0; at < old.length; at += 2) {
      const entry = old[at + 1];
      if (entry === 0) {
        continue;
      }
      const h = rehash ? this.hash(view, this.offsets.data[entry - 1], this.lengths.data[entry - 1]) : old[at];
      let slot = h & mask;
      while (table[2 * slot + 1] !== 0) {
        slot = (slot + 1) & mask;
      }
      table[2 * slot] = h;
      table[2 * slot + 1] = entry;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** The hash's last step: the words' rotate-and-xor chain mixed, so that its low bits (the slot) depend on every word. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * Equal stack bytes? Stack lengths are multiples of 4. 8-byte entries are
 * compared as doubles, half the reads of 32-bit words: equal doubles other
 * than ±0 have equal bits, and unequal ones differ unless both are NaN, so
 * only zeros and NaNs need their words compared.
 */
function sameBytes(view: DataView, a: number, b: number, length: number): boolean {
  if ((length & 7) !== 0) {
    return sameWords(view, a, b, length);
  }
  for (let i = 0; i < length; i += 8) {
    const x = view.getFloat64(a + i, true);
    const y = view.getFloat64(b + i, true);
    if (x === y ? x === 0 : x !== x && y !== y) {
      if (!sameWords(view, a + i, b + i, 8)) {
        return false;
      }
    } else if (x !== y) {
      return false;
    }
  }
  return true;
}

function sameWords(view: DataView, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i += 4) {
    if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) {
      return false;
    }
  }
  return true;
}
