/**
 * Graph JSON's call tree cut to its size limit (src/model/prune.ts): totals
 * exact and adding up, whole paths from the root kept, small trees untouched.
 */
import { IGraphTree } from '../../src/model/graph-json';
import { pruneTree } from '../../src/model/prune';

/** root → a (60) → a1 (30), a2 (20), a3 (10, with a3x 10); root → b (5); root self 1. */
function sampleTree(): IGraphTree {
  return {
    frame: [-1, 0, 1, 2, 3, 4, 5],
    parent: [-1, 0, 1, 1, 1, 4, 0],
    total: [66, 60, 30, 20, 10, 10, 5],
    self: [1, 0, 30, 20, 0, 10, 5]
  };
}

function checkAddsUp(tree: IGraphTree): void {
  const childSum = new Array(tree.frame.length).fill(0);
  tree.parent.forEach((p, i) => {
    if (p >= 0) {
      expect(p).toBeLessThan(i);
      childSum[p] += tree.total[i];
    }
  });
  tree.total.forEach((t, i) => expect(t).toBe(tree.self[i] + childSum[i]));
}

describe('pruneTree', () => {
  it('returns a tree within the limit as it is', () => {
    const tree = sampleTree();
    expect(pruneTree(tree, 99, 7)).toBe(tree);
  });

  it('drops the lightest subtrees into one [pruned] child per parent, totals exact', () => {
    const pruned = pruneTree(sampleTree(), 99, 6);
    // Budget 6 → 3 nodes kept at most: totals above the 4th heaviest (30) stay, root and a.
    expect(pruned.pruned).toEqual({ minSamples: 31, droppedNodes: 5 });
    expect(pruned.frame).toEqual([-1, 0, 99, 99]);
    expect(pruned.parent).toEqual([-1, 0, 1, 0]);
    expect(pruned.total).toEqual([66, 60, 60, 5]);
    expect(pruned.self).toEqual([1, 0, 60, 5]);
    checkAddsUp(pruned);
  });

  it('keeps at most the limit whatever the shape', () => {
    // A comb: 1,000 leaves of 1..1000 samples under one node.
    const n = 1000;
    const tree: IGraphTree = { frame: [-1, 0], parent: [-1, 0], total: [0, 0], self: [0, 0] };
    for (let i = 1; i <= n; i++) {
      tree.frame.push(i);
      tree.parent.push(1);
      tree.total.push(i);
      tree.self.push(i);
      tree.total[0] += i;
      tree.total[1] += i;
    }
    const pruned = pruneTree(tree, n + 1, 100);
    expect(pruned.frame.length).toBeLessThanOrEqual(100);
    expect(pruned.total[0]).toBe(tree.total[0]);
    checkAddsUp(pruned);
  });
});
