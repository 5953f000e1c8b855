/**
 * The call tree of a comparison, for the differential flame graph: the
 * merged tree of both profiles, a node per path of matched functions, with
 * each profile's self and total samples at that node.
 *
 * Merged, not B's tree alone: with B's tree, code that B no longer runs
 * (the function an optimisation removed) has no box at all, and the
 * largest "faster" change would be invisible. In the merged tree it keeps
 * its box, drawn by its share in A, coloured as faster.
 *
 * At most `maxNodes` nodes (the views draw no more than 1,500 boxes): the
 * heaviest by max(share of A, share of B), so a path large in either
 * profile stays; a kept node's dropped children become one child with
 * `fn` −1 holding their samples as self, so every level still adds up.
 */
import type { IDiffTree } from './diff-json';
import { IProfile } from './profile';

export type { IDiffTree };

/** The views draw at most this many boxes (the `maxNodes` setting's default). */
export const DIFF_TREE_MAX_NODES = 1500;

interface IMergedTree {
  parent: number[];
  fn: number[];
  counts: { selfA: number[]; totalA: number[]; selfB: number[]; totalB: number[] };
}

/**
 * `functionOf(profile, frame)` is the index of the frame's matched function
 * (the same index in both profiles for the same function).
 */
export function diffTree(
  a: IProfile,
  b: IProfile,
  functionOf: (side: 0 | 1, frame: number) => number,
  maxNodes: number = DIFF_TREE_MAX_NODES
): IDiffTree {
  const merged: IMergedTree = {
    parent: [-1],
    fn: [-1],
    counts: { selfA: [0], totalA: [0], selfB: [0], totalB: [0] }
  };
  const childIndex = new Map<string, number>();
  addProfile(merged, childIndex, a, frame => functionOf(0, frame), 'A');
  addProfile(merged, childIndex, b, frame => functionOf(1, frame), 'B');
  addUpTotals(merged);
  return pruned(merged, a.sampleStack.length, b.sampleStack.length, Math.max(1, maxNodes));
}

function addProfile(
  merged: IMergedTree,
  childIndex: Map<string, number>,
  profile: IProfile,
  functionOf: (frame: number) => number,
  side: 'A' | 'B'
): void {
  const self = merged.counts[`self${side}`];
  // Stack nodes come parents first, so a parent's merged node is known before its children's.
  const mergedOf = new Int32Array(profile.stackFrame.length);
  for (let node = 0; node < mergedOf.length; node++) {
    const parentNode = profile.stackParent[node];
    const parent = parentNode < 0 ? 0 : mergedOf[parentNode];
    const fn = functionOf(profile.stackFrame[node]);
    const key = `${parent}:${fn}`;
    let m = childIndex.get(key);
    if (m === undefined) {
      m = merged.parent.length;
      childIndex.set(key, m);
      merged.parent.push(parent);
      merged.fn.push(fn);
      for (const list of Object.values(merged.counts)) {
        list.push(0);
      }
    }
    mergedOf[node] = m;
  }
  for (let i = 0; i < profile.sampleStack.length; i++) {
    const node = profile.sampleStack[i];
    self[node < 0 ? 0 : mergedOf[node]]++; // an empty stack counts at the root
  }
}

/** Total = self + the children's totals; children come after their parent, so one backward pass. */
function addUpTotals(merged: IMergedTree): void {
  const { selfA, totalA, selfB, totalB } = merged.counts;
  for (let m = merged.parent.length - 1; m >= 0; m--) {
    totalA[m] += selfA[m];
    totalB[m] += selfB[m];
    const p = merged.parent[m];
    if (p >= 0) {
      totalA[p] += totalA[m];
      totalB[p] += totalB[m];
    }
  }
}

function pruned(merged: IMergedTree, samplesA: number, samplesB: number, maxNodes: number): IDiffTree {
  const { selfA, totalA, selfB, totalB } = merged.counts;
  const n = merged.parent.length;
  const weight = (m: number) => Math.max(share(totalA[m], samplesA), share(totalB[m], samplesB));
  // Parents weigh at least as much as their children, so the heaviest nodes form a tree.
  const order = Array.from({ length: n }, (_, m) => m).sort((x, y) => weight(y) - weight(x) || x - y);
  const keep = new Uint8Array(n);
  keep[0] = 1; // the root, even for two empty profiles
  // Pruned, each kept node may get one folded child: keep half the budget.
  const budget = n <= maxNodes ? n : Math.max(1, Math.floor(maxNodes / 2));
  let kept = 1;
  for (const m of order) {
    if (kept >= budget) {
      break;
    }
    if (m !== 0 && totalA[m] + totalB[m] > 0) {
      keep[m] = 1;
      kept++;
    }
  }
  const out: IDiffTree = { parent: [], fn: [], selfA: [], totalA: [], selfB: [], totalB: [] };
  const newIndex = new Int32Array(n).fill(-1);
  const foldedOf = new Map<number, number>();
  const push = (parent: number, fn: number, counts: [number, number, number, number]) => {
    out.parent.push(parent);
    out.fn.push(fn);
    out.selfA.push(counts[0]);
    out.totalA.push(counts[1]);
    out.selfB.push(counts[2]);
    out.totalB.push(counts[3]);
    return out.parent.length - 1;
  };
  for (let m = 0; m < n; m++) {
    const parent = merged.parent[m];
    if (keep[m]) {
      newIndex[m] = push(parent < 0 ? -1 : newIndex[parent], merged.fn[m], [selfA[m], totalA[m], selfB[m], totalB[m]]);
    } else if (parent >= 0 && keep[parent]) {
      // The top of a dropped subtree: its samples go to its parent's one folded child.
      let f = foldedOf.get(parent);
      if (f === undefined) {
        f = push(newIndex[parent], -1, [0, 0, 0, 0]);
        foldedOf.set(parent, f);
      }
      out.selfA[f] += totalA[m];
      out.totalA[f] += totalA[m];
      out.selfB[f] += totalB[m];
      out.totalB[f] += totalB[m];
    }
  }
  return out;
}

function share(count: number, samples: number): number {
  return samples > 0 ? count / samples : 0;
}
