/**
 * A hash table from a pair of int32s to a non-negative int32
 * (the call tree's (parent node, frame) → node). Why not a Map: a Map keyed
 * by a packed double or a string costs a heap number or string per lookup
 * and misses V8's small-integer fast path; at millions of call-tree nodes
 * that was most of a conversion. Open addressing over typed arrays, linear
 * probing, grown at half full.
 */

const EMPTY = -1;
/** Int32 per slot: a, b, then the value (EMPTY: a free slot), side by side so that a probe reads one cache line, not three. */
const STRIDE = 3;

export class PairTable {
  private slots: Int32Array;
  private mask: number;
  private used = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) {
      size *= 2;
    }
    this.slots = new Int32Array(size * STRIDE).fill(EMPTY);
    this.mask = size - 1;
  }

  get size(): number {
    return this.used;
  }

  /** The value of (a, b), or -1 when absent. */
  get(a: number, b: number): number {
    const { slots, mask } = this;
    for (let i = slot(a, b) & mask; ; i = (i + 1) & mask) {
      const at = i * STRIDE;
      const v = slots[at + 2];
      if (v === EMPTY || (slots[at] === a && slots[at + 1] === b)) {
        return v;
      }
    }
  }

  /** Sets (a, b) to `value` (≥ 0). */
  set(a: number, b: number, value: number): void {
    if ((this.used + 1) * 2 > this.mask + 1) {
      this.grow();
    }
    const { slots, mask } = this;
    let i = slot(a, b) & mask;
    let at = i * STRIDE;
    while (slots[at + 2] !== EMPTY && !(slots[at] === a && slots[at + 1] === b)) {
      i = (i + 1) & mask;
      at = i * STRIDE;
    }
    if (slots[at + 2] === EMPTY) {
      this.used++;
    }
    slots[at] = a;
    slots[at + 1] = b;
    slots[at + 2] = value;
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size * STRIDE).fill(EMPTY);
    this.mask = size - 1;
    this.used = 0;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + 2] !== EMPTY) {
        this.set(old[at], old[at + 1], old[at + 2]);
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
