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

/**
 * Each node's place in a preorder and its subtree's size, so that "a is an
 * ancestor of b (or b itself)" is two comparisons. Needs parents numbered
 * before their children, as Graph JSON's tree is.
 */
function subtreeIntervals(tree: IGraphTree): { pre: Int32Array; size: Int32Array } {
  const count = tree.frame.length;
  const size = new Int32Array(count).fill(1);
  for (let n = count - 1; n > 0; n--) {
    size[tree.parent[n]] += size[n];
  }
  const pre = new Int32Array(count);
  const nextChild = new Int32Array(count);
  nextChild[0] = 1;
  for (let n = 1; n < count; n++) {
    const parent = tree.parent[n];
    pre[n] = nextChild[parent];
    nextChild[parent] += size[n];
    nextChild[n] = pre[n] + 1;
  }
  return { pre, size };
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
  const times = profile.sampleTime;
  const taken = takenSamples(profile, tree, threadIndex);
  if (taken === null) {
    return null;
  }
  const { node, at, untimed } = taken;
  const count = node.length;
  const axis: TimelineAxis =
    times === null ? 'sample-index' : profile.info.sampleClock === 'wall' ? 'wall' : 'cpu';
  // A sample stands for the time until the next one; the last for the median gap.
  const gaps = new Float64Array(Math.max(0, count - 1));
  for (let k = 1; k < count; k++) {
    gaps[k - 1] = at[k] - at[k - 1];
  }
  const lastWidth = times === null ? 1 : gaps.length > 0 ? kthSmallest(gaps, gaps.length >> 1) : profile.info.secondsPerSample ?? 0;

  let groups = count;
  let groupNode = node;
  let groupStart = (g: number) => g;
  let coarsened = false;
  if (countRuns(node) > maxRuns) {
    coarsened = true;
    groups = maxRuns;
    groupStart = g => Math.floor((g * count) / maxRuns);
    groupNode = sharedNodes(tree, node, maxRuns, groupStart);
  }
  const out: IGraphTimeOrder = {
    axis,
    unit: axis === 'sample-index' ? 'samples' : 'seconds',
    thread: profile.threads[threadIndex],
    node: [],
    start: [],
    samples: [],
    end: at[count - 1] + lastWidth,
    coarsened,
    untimed
  };
  for (let g = 0; g < groups; g++) {
    const n = groupNode[g];
    const start = groupStart(g);
    const last = out.node.length - 1;
    if (last >= 0 && out.node[last] === n) {
      out.samples[last] += groupStart(g + 1) - start;
    } else {
      out.node.push(n);
      out.start.push(at[start]);
      out.samples.push(groupStart(g + 1) - start);
    }
  }
  return out;
}

interface ITakenSamples {
  /** Per sample of the thread with a usable time, in order: its tree node (0: the root). */
  node: Int32Array;
  /** Its time since the thread's first such sample, or its index when the file has no times. */
  at: Float64Array;
  /** The thread's samples without a usable time. */
  untimed: number;
}

/**
 * The thread's samples in two typed arrays, counted first and then filled
 * (no array grown one push per sample, no closure called per sample: this
 * runs over every sample of every conversion).
 */
function takenSamples(profile: IProfile, tree: IGraphTree, threadIndex: number): ITakenSamples | null {
  const { sampleThread, sampleStack, sampleTime: times } = profile;
  let timed = 0;
  let untimed = 0;
  for (let i = 0; i < sampleStack.length; i++) {
    if (sampleThread[i] === threadIndex) {
      if (times === null || Number.isFinite(times[i])) {
        timed++;
      } else {
        untimed++;
      }
    }
  }
  if (timed === 0) {
    return null;
  }
  const nodeOf = treeNodesOfStacks(profile, tree);
  const node = new Int32Array(timed);
  const at = new Float64Array(timed);
  let first = 0;
  for (let i = 0, k = 0; k < timed; i++) {
    if (sampleThread[i] !== threadIndex) {
      continue;
    }
    if (times === null) {
      at[k] = k;
    } else if (Number.isFinite(times[i])) {
      first = k === 0 ? times[i] : first;
      at[k] = times[i] - first;
    } else {
      continue;
    }
    const stack = sampleStack[i];
    node[k++] = stack < 0 ? 0 : Math.max(0, nodeOf[stack]);
  }
  return { node, at, untimed };
}

/**
 * Coarsened: each of `groups` groups of samples in order drawn as the deepest
 * call-tree node all its samples share.
 */
function sharedNodes(tree: IGraphTree, node: Int32Array, groups: number, groupStart: (g: number) => number): Int32Array {
  const { pre, size } = subtreeIntervals(tree);
  const holds = (a: number, b: number) => pre[a] <= pre[b] && pre[b] < pre[a] + size[a];
  const shared = new Int32Array(groups);
  for (let g = 0; g < groups; g++) {
    // The shared node only moves rootward within a group: a climb of at most the stack's depth per group.
    let common = node[groupStart(g)];
    for (let k = groupStart(g) + 1; k < groupStart(g + 1) && common > 0; k++) {
      while (!holds(common, node[k])) {
        common = tree.parent[common];
      }
    }
    shared[g] = common;
  }
  return shared;
}

function countRuns(node: Int32Array): number {
  let runs = node.length > 0 ? 1 : 0;
  for (let k = 1; k < node.length; k++) {
    if (node[k] !== node[k - 1]) {
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
