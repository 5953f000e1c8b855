/**
 * A hash table from a pair of non-negative-or-minus-one int32s to an int32
 * (the call tree's (parent node, frame) → node). Why not a Map: a Map keyed
 * by a packed double or a string costs a heap number or string per lookup
 * and misses V8's small-integer fast path; at millions of call-tree nodes
 * that was most of a conversion. Open addressing over typed arrays, linear
 * probing, grown at half full.
 */

const EMPTY = -1;

export class PairTable {
  private first: Int32Array;
  private second: Int32Array;
  private values: Int32Array;
  private mask: number;
  private used = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) {
      size *= 2;
    }
    this.first = new Int32Array(size);
    this.second = new Int32Array(size);
    this.values = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  /** The value of (a, b), or -1 when absent. */
  get(a: number, b: number): number {
    const { first, second, values, mask } = this;
    for (let i = slot(a, b) & mask; ; i = (i + 1) & mask) {
      const v = values[i];
      if (v === EMPTY || (first[i] === a && second[i] === b)) {
        return v;
      }
    }
  }

  /** Sets (a, b) to `value` (≥ 0). */
  set(a: number, b: number, value: number): void {
    if ((this.used + 1) * 2 > this.values.length) {
      this.grow();
    }
    const { first, second, values, mask } = this;
    let i = slot(a, b) & mask;
    while (values[i] !== EMPTY && !(first[i] === a && second[i] === b)) {
      i = (i + 1) & mask;
    }
    if (values[i] === EMPTY) {
      this.used++;
    }
    first[i] = a;
    second[i] = b;
    values[i] = value;
  }

  private grow(): void {
    const { first, second, values } = this;
    const size = values.length * 2;
    this.first = new Int32Array(size);
    this.second = new Int32Array(size);
    this.values = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.used = 0;
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== EMPTY) {
        this.set(first[i], second[i], values[i]);
      }
    }
  }
}

/** Mixes both halves so that sequential ids spread over the table. */
function slot(a: number, b: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
