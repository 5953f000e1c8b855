/**
 * Interning of raw stacks for the vmprof reader (see vmprof-records.ts).
 */

import { GrowableFloat64, GrowableInt32 } from '../model/growable';

/**
 * Interns stacks by their raw bytes: a hash over the 32-bit words, an
 * open-addressing table, and a byte comparison against the first
 * occurrence. Real profiles have few distinct stacks and many samples.
 */
export class StackInterner {
  offsets = new GrowableFloat64();
  depths = new GrowableInt32();
  private lengths = new GrowableInt32();
  private hashes = new GrowableInt32();
  private table = new Int32Array(1024);
  private mask = 1023;

  intern(view: DataView, start: number, length: number, depth: number): number {
    let h = length | 0;
    for (let i = 0; i < length; i += 4) {
      h = Math.imul(h ^ view.getInt32(start + i, true), 0x9e3779b1);
      h ^= h >>> 15;
    }
    let slot = h & this.mask;
    for (;;) {
      const entry = this.table[slot];
      if (entry === 0) {
        break;
      }
      const index = entry - 1;
      if (this.hashes.data[index] === h && this.lengths.data[index] === length &&
          sameWords(view, this.offsets.data[index], start, length)) {
        return index;
      }
      slot = (slot + 1) & this.mask;
    }
    const index = this.depths.length;
    this.offsets.push(start);
    this.depths.push(depth);
    this.lengths.push(length);
    this.hashes.push(h);
    this.table[slot] = index + 1;
    if ((index + 1) * 2 > this.mask) {
      this.grow();
    }
    return index;
  }

  private grow(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    for (let index = 0; index < this.depths.length; index++) {
      let slot = this.hashes.data[index] & this.mask;
      while (this.table[slot] !== 0) {
        slot = (slot + 1) & this.mask;
      }
      this.table[slot] = index + 1;
    }
  }
}

/** Equal stack bytes? Stack lengths are multiples of 4, so compare 32-bit words. */
function sameWords(view: DataView, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i += 4) {
    if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) {
      return false;
    }
  }
  return true;
}
