/** diffProfiles (src/model/diff.ts): per-function fractions and deltas, b − a. */

import { diffProfiles } from '../../src/model/diff';
import { ProfileBuilder } from '../../src/model/profile';
import { matchFunction } from '../../src/symbols/match-keys';
import { load } from './helpers';
import { INFO, profileOf } from './model-helpers';

describe('diffProfiles', () => {
  const a = profileOf([['m;f'], ['m;f'], ['m;f'], ['m;g']]);
  const b = profileOf([['m;f'], ['m;g'], ['m;g'], ['m;h;h;h']]);
  const d = diffProfiles(a, b);
  const fn = (name: string) => d.functions.find(f => f.name === name)!;

  test('counts, fractions and deltas', () => {
    expect(d.samplesA).toBe(4);
    expect(d.samplesB).toBe(4);
    expect(fn('f')).toMatchObject({
      selfA: 3, totalA: 3, selfB: 1, totalB: 1,
      selfFractionA: 0.75, selfFractionB: 0.25, selfDelta: -0.5, totalDelta: -0.5
    });
    expect(fn('g')).toMatchObject({ selfDelta: 0.25, totalDelta: 0.25, lineA: 103, lineB: 103 });
    expect(fn('m')).toMatchObject({ selfA: 0, totalA: 4, totalB: 4, totalDelta: 0, selfDelta: 0 });
  });

  test('a function in one profile only; recursion counted once per sample', () => {
    expect(fn('h')).toMatchObject({ lineA: null, lineB: 104, selfB: 1, totalB: 1, totalA: 0, selfDelta: 0.25 });
  });

  test('sorted by |selfDelta|, then |totalDelta|, then file and name', () => {
    expect(d.functions.map(f => f.name)).toEqual(['f', 'g', 'h', 'm']);
    const deltas = d.functions.map(f => Math.abs(f.selfDelta));
    expect(deltas).toEqual([...deltas].sort((x, y) => y - x));
  });

  test('match keys line up functions across files (two versions of a cell)', () => {
    const build = (file: string, line: number) => {
      const builder = new ProfileBuilder();
      builder.addSample(builder.stackOf([builder.frame('work', file, line, 'python')]), builder.thread('1'));
      return builder.build(INFO);
    };
    const x = build('/tmp/ipykernel_1/aaa.py', 3);
    const y = build('/tmp/ipykernel_1/bbb.py', 5);
    expect(diffProfiles(x, y).functions.length).toBe(2);
    const merged = diffProfiles(x, y, { match: matchFunction });
    expect(merged.functions).toHaveLength(1);
    expect(merged.functions[0]).toMatchObject({ file: '/tmp/ipykernel_1/aaa.py', lineA: 3, lineB: 5, selfDelta: 0 });
  });

  test('empty profile: fractions 0, no division by zero', () => {
    const empty = profileOf([]);
    const r = diffProfiles(empty, a);
    expect(r.samplesA).toBe(0);
    expect(r.functions.every(f => f.selfFractionA === 0 && Number.isFinite(f.selfDelta))).toBe(true);
  });

  test('real profiles: a profile against itself has no deltas; deltas of self sum to zero', () => {
    const mixed = load('vmprof-0.6.0/mixed.prof');
    expect(diffProfiles(mixed, mixed).functions.every(f => f.selfDelta === 0 && f.totalDelta === 0)).toBe(true);
    const other = load('vmprof-0.6.0/nonative.prof');
    const r = diffProfiles(mixed, other);
    const selfSum = r.functions.reduce((s, f) => s + f.selfDelta, 0);
    expect(Math.abs(selfSum)).toBeLessThan(1e-9);
    for (const f of r.functions) {
      expect(f.totalFractionA).toBeLessThanOrEqual(1);
      expect(f.totalFractionB).toBeLessThanOrEqual(1);
    }
  });

  test('the merged tree keeps paths of either profile, with both counts', () => {
    const tree = d.tree;
    const path = (n: number): string =>
      tree.parent[n] < 0 ? '' : `${path(tree.parent[n])};${d.functions[tree.fn[n]].name}`;
    const nodes = new Map(tree.parent.map((_, n) => [path(n), n]));
    // m;f is in both, m;h;h;h in B only: it keeps its box, with A's 0.
    const f = nodes.get(';m;f')!;
    expect([tree.selfA[f], tree.selfB[f]]).toEqual([3, 1]);
    const hhh = nodes.get(';m;h;h;h')!;
    expect([tree.totalA[hhh], tree.selfB[hhh]]).toEqual([0, 1]);
    expect([tree.totalA[0], tree.totalB[0]]).toEqual([4, 4]);
  });

  test('a pruned tree folds the lightest children into one node per parent, and adds up', () => {
    const wide = profileOf([...'abcdefghij'].flatMap((c, i) => Array.from({ length: i + 1 }, () => [`m;${c}`] as [string])));
    const pruned = diffProfiles(wide, wide, { maxTreeNodes: 8 }).tree;
    expect(pruned.parent.length).toBeLessThanOrEqual(8);
    const folded = pruned.fn.map((fn, n) => (fn === -1 && n > 0 ? n : -1)).filter(n => n > 0);
    expect(folded).toHaveLength(1);
    const m = pruned.parent[folded[0]];
    const children = pruned.parent.map((p, n) => (p === m ? n : -1)).filter(n => n >= 0);
    expect(children.reduce((sum, n) => sum + pruned.totalA[n], 0)).toBe(pruned.totalA[m]);
    expect(pruned.totalA[0]).toBe(55);
  });
});
