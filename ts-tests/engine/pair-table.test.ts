/**
 * The (int32, int32) → int32 table under the call tree and the reader's
 * entry cache (src/model/pair-table.ts): every pair set is found again with
 * its last value, across growth, whatever the keys' signs.
 */

import { PairTable } from '../../src/model/pair-table';

describe('PairTable', () => {
  it('finds 200,000 pairs again after growing from 16 slots, and misses pairs never set', () => {
    const table = new PairTable(1);
    const n = 200000;
    for (let i = 0; i < n; i++) {
      table.set(i >> 3, i & 7, i);
    }
    expect(table.size).toBe(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      if (table.get(i >> 3, i & 7) !== i) {
        wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(table.get(n >> 3, 0)).toBe(-1);
    expect(table.get(0, 8)).toBe(-1);
  });

  it('keys entries by both words, negative ones included (the words of 8-byte addresses)', () => {
    const table = new PairTable();
    const keys: Array<[number, number]> = [
      [-1, -1],
      [-1, 0],
      [0, -1],
      [0x7fffffff, -0x80000000],
      [-0x80000000, 0x7fffffff],
      [123, 0x7f00]
    ];
    keys.forEach(([a, b], i) => table.set(a, b, i));
    keys.forEach(([a, b], i) => expect(table.get(a, b)).toBe(i));
    table.set(-1, 0, 99); // a second set replaces the value, adds no entry
    expect(table.get(-1, 0)).toBe(99);
    expect(table.size).toBe(keys.length);
  });
});
