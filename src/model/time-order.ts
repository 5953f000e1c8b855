/**
 * The samples of one thread in the order they were taken, as runs of
 * consecutive samples with the same stack (IGraphTimeOrder in
 * graph-json.ts): the data of a time-ordered flame chart (speedscope's
 * "Time Order", pyinstrument's timeline).
 *
 * Bounded: past MAX_TIME_RUNS runs, the samples are cut into that many
 * equal groups in order, and each group is drawn as the part of the stack
 * that all its samples share (their deepest common call-tree node), so
 * nothing is drawn that was not on the stack the whole time; the JSON
 * says it was coarsened.
 */

import type { IGraphTimeOrder, IGraphTree, TimelineAxis } from './graph-json';
import { PairTable } from './pair-table';
import type { IProfile } from './profile';

export const MAX_TIME_RUNS = 2000;

/**
 * Profile stack node → Graph JSON tree node. A stack node is a unique
 * (parent, frame) pair, and so is a tree node, so the tree is found again
 * by walking the stacks parents first.
 */
function treeNodesOfStacks(profile: IProfile, tree: IGraphTree): Int32Array {
  // Integer pairs, not `${parent}:${frame}` strings: a string per node was seconds at millions of nodes.
  const byKey = new PairTable(tree.frame.length);
  for (let n = 1; n < tree.frame.length; n++) {
    byKey.set(tree.parent[n], tree.frame[n], n);
  }
  const out = new Int32Array(profile.stackFrame.length).fill(-1);
  // A pruned tree (prune.ts): a dropped node's stacks run in its nearest kept ancestor,
  // which was on the stack the whole time; `cut` marks them so their children do not
  // match a kept sibling of the same function.
  const cut = tree.pruned !== undefined ? new Uint8Array(out.length) : null;
  for (let s = 0; s < out.length; s++) {
    const parent = profile.stackParent[s];
    const parentNode = parent < 0 ? 0 : out[parent];
    if (parentNode < 0) {
      continue;
    }
    if (cut !== null && parent >= 0 && cut[parent]) {
      out[s] = parentNode;
      cut[s] = 1;
      continue;
    }
    out[s] = byKey.get(parentNode, profile.stackFrame[s]);
    if (cut !== null && out[s] < 0) {
      out[s] = parentNode;
      cut[s] = 1;
    }
  }
  return out;
}

function depthsOf(tree: IGraphTree): Int32Array {
  const depth = new Int32Array(tree.frame.length);
  for (let n = 1; n < depth.length; n++) {
    depth[n] = depth[tree.parent[n]] + 1;
  }
  return depth;
}

function commonAncestor(tree: IGraphTree, depth: Int32Array, a: number, b: number): number {
  while (depth[a] > depth[b]) {
    a = tree.parent[a];
  }
  while (depth[b] > depth[a]) {
    b = tree.parent[b];
  }
  while (a !== b) {
    a = tree.parent[a];
    b = tree.parent[b];
  }
  return a;
}

/**
 * Runs for the samples of `threadIndex` (an index into profile.threads),
 * or null when that thread has no sample with a tree node.
 */
export function timeOrder(
  profile: IProfile,
  tree: IGraphTree,
  threadIndex: number,
  maxRuns: number = MAX_TIME_RUNS
): IGraphTimeOrder | null {
  const nodeOf = treeNodesOfStacks(profile, tree);
  const times = profile.sampleTime;
  const taken = (i: number) => profile.sampleThread[i] === threadIndex && (times === null || Number.isFinite(times[i]));
  let timed = 0;
  let untimed = 0;
  for (let i = 0; i < profile.sampleStack.length; i++) {
    if (taken(i)) {
      timed++;
    } else if (profile.sampleThread[i] === threadIndex) {
      untimed++;
    }
  }
  if (timed === 0) {
    return null;
  }
  // Counted first, then filled: no array grown one push per sample.
  const samples = new Int32Array(timed);
  for (let i = 0, k = 0; k < timed; i++) {
    if (taken(i)) {
      samples[k++] = i;
    }
  }
  const axis: TimelineAxis =
    times === null ? 'sample-index' : profile.info.sampleClock === 'wall' ? 'wall' : 'cpu';
  const first = times === null ? 0 : times[samples[0]];
  const at = (k: number) => (times === null ? k : times[samples[k]] - first);
  // A sample stands for the time until the next one; the last for the median gap.
  const gaps = new Float64Array(Math.max(0, samples.length - 1));
  for (let k = 1; k < samples.length; k++) {
    gaps[k - 1] = at(k) - at(k - 1);
  }
  const lastWidth = times === null ? 1 : gaps.length > 0 ? kthSmallest(gaps, gaps.length >> 1) : profile.info.secondsPerSample ?? 0;

  const node = (k: number) => {
    const stack = profile.sampleStack[samples[k]];
    return stack < 0 ? 0 : Math.max(0, nodeOf[stack]);
  };
  let groups = samples.length;
  let groupNode = (g: number) => node(g);
  let groupStart = (g: number) => g;
  let coarsened = false;
  if (countRuns(samples.length, node) > maxRuns) {
    coarsened = true;
    const depth = depthsOf(tree);
    groups = maxRuns;
    groupStart = g => Math.floor((g * samples.length) / maxRuns);
    const shared = new Int32Array(groups);
    for (let g = 0; g < groups; g++) {
      let common = node(groupStart(g));
      for (let k = groupStart(g) + 1; k < groupStart(g + 1) && common > 0; k++) {
        common = commonAncestor(tree, depth, common, node(k));
      }
      shared[g] = common;
    }
    groupNode = g => shared[g];
  }
  const out: IGraphTimeOrder = {
    axis,
    unit: axis === 'sample-index' ? 'samples' : 'seconds',
    thread: profile.threads[threadIndex],
    node: [],
    start: [],
    samples: [],
    end: at(samples.length - 1) + lastWidth,
    coarsened,
    untimed
  };
  for (let g = 0; g < groups; g++) {
    const n = groupNode(g);
    const count = groupStart(g + 1) - groupStart(g);
    const last = out.node.length - 1;
    if (last >= 0 && out.node[last] === n) {
      out.samples[last] += count;
    } else {
      out.node.push(n);
      out.start.push(at(groupStart(g)));
      out.samples.push(count);
    }
  }
  return out;
}

function countRuns(n: number, node: (k: number) => number): number {
  let runs = 0;
  for (let k = 0; k < n; k++) {
    if (k === 0 || node(k) !== node(k - 1)) {
      runs++;
    }
  }
  return runs;
}

/**
 * The value a sort would put at index k (0-based), found by selection: O(n)
 * instead of sorting. Partitions `values` in place three ways around a
 * median-of-three pivot, so runs of equal gaps (the usual case: one timer
 * period) end it at once; past a bound on the rounds the rest is sorted.
 */
export function kthSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  for (let round = 0; lo < hi; round++) {
    if (round > 64) {
      const rest = values.subarray(lo, hi + 1).sort();
      return rest[k - lo];
    }
    const a = values[lo];
    const b = values[(lo + hi) >> 1];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = values[i];
      if (v < pivot) {
        values[i++] = values[lt];
        values[lt++] = v;
      } else if (v > pivot) {
        values[i] = values[gt];
        values[gt--] = v;
      } else {
        i++;
      }
    }
    if (k < lt) {
      hi = lt - 1;
    } else if (k > gt) {
      lo = gt + 1;
    } else {
      return pivot;
    }
  }
  return values[k];
}
