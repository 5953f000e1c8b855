/**
 * The raw-stack interner of the vmprof reader: one index per distinct byte
 * content, in order of first appearance, whatever the bytes are (it compares
 * 8-byte entries as doubles and hashes only their low words at first).
 */

import { StackInterner } from '../../src/formats/stack-interner';

/** Stacks of 8-byte entries, each given as [low word, high word] pairs, laid out one after another. */
function layout(stacks: Array<Array<[number, number]>>): { view: DataView; starts: number[]; lengths: number[] } {
  const total = stacks.reduce((n, s) => n + s.length * 8, 0);
  const view = new DataView(new ArrayBuffer(total + 3), 3); // unaligned, as in a file
  const starts: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for (const stack of stacks) {
    starts.push(at);
    lengths.push(stack.length * 8);
    for (const [lo, hi] of stack) {
      view.setInt32(at, lo, true);
      view.setInt32(at + 4, hi, true);
      at += 8;
    }
  }
  return { view, starts, lengths };
}

function internAll(stacks: Array<Array<[number, number]>>): number[] {
  const { view, starts, lengths } = layout(stacks);
  const interner = new StackInterner();
  return starts.map((start, i) => interner.intern(view, start, lengths[i], lengths[i] / 8));
}

describe('StackInterner', () => {
  it('gives equal bytes one index and different bytes another, in order of first appearance', () => {
    const a: Array<[number, number]> = [
      [0x1000, 0x7f00],
      [0x2000, 0x7f00]
    ];
    const b: Array<[number, number]> = [
      [0x1000, 0x7f00],
      [0x2010, 0x7f00]
    ];
    expect(internAll([a, b, a, [], b, []])).toEqual([0, 1, 0, 2, 1, 2]);
  });

  it('tells +0 from -0 and matches equal NaN patterns, which compare otherwise as doubles', () => {
    const zero: Array<[number, number]> = [[0, 0]];
    const minusZero: Array<[number, number]> = [[0, 0x80000000 | 0]];
    const nanA: Array<[number, number]> = [[1, 0x7ff00000]];
    const nanB: Array<[number, number]> = [[2, 0x7ff00000]];
    expect(internAll([zero, minusZero, nanA, nanB, nanA, minusZero, zero, nanB])).toEqual([0, 1, 2, 3, 2, 1, 0, 3]);
  });

  it('keeps 5,000 stacks that differ only in their high words apart (past its switch to hashing every word)', () => {
    const stacks = Array.from({ length: 5000 }, (_, i): Array<[number, number]> => [
      [0x1234, i],
      [0x5678, 0x7f00]
    ]);
    const indexes = internAll([...stacks, ...stacks]);
    expect(indexes.slice(0, 5000)).toEqual(stacks.map((_, i) => i));
    expect(indexes.slice(5000)).toEqual(stacks.map((_, i) => i));
  });

  it('interns 4-byte entries (32-bit profiles) by every word', () => {
    const view = new DataView(new ArrayBuffer(24));
    [7, 8, 9, 7, 8, 10].forEach((v, i) => view.setInt32(i * 4, v, true));
    const interner = new StackInterner();
    const got = [0, 12, 0, 12].map(start => interner.intern(view, start, 12, 3));
    expect(got).toEqual([0, 1, 0, 1]);
    expect(Array.from(interner.depths.data.subarray(0, interner.depths.length))).toEqual([3, 3]);
  });
});
