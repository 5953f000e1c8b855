/**
 * The call tree and the call graph, derived from a profile by pure functions:
 * sample counts per stack, the call tree, and per-function self/inclusive
 * counts with caller→callee edges.
 *
 * Recursion: in the call graph each function and each edge is counted once
 * per sample, however often it appears on the stack, so no inclusive count
 * exceeds the number of samples. Example: the stack main→fib→fib→fib counts
 * 1 for main, 1 for fib (inclusive), 1 for the edge main→fib, and the
 * self-edge fib→fib is left out. The call tree keeps every level (fib under
 * fib under fib), as a tree must.
 */

import { PairTable } from './pair-table';
import { IProfile } from './profile';

/**
 * Thread selection: a thread id as recorded, a set of ids (the cell's own
 * threads, src/model/threads.ts cellThreadSelection), or null for all threads.
 */
export type ThreadFilter = string | readonly string[] | null;

/** Per thread index (profile.threads), whether the filter keeps it; null when it keeps all. */
export function threadMask(profile: IProfile, thread: ThreadFilter): Uint8Array | null {
  if (thread === null) {
    return null;
  }
  const wanted = new Set(typeof thread === 'string' ? [thread] : thread);
  return Uint8Array.from(profile.threads, id => (wanted.has(id) ? 1 : 0));
}

export interface IStackCounts {
  /** Samples whose stack is exactly this node. */
  self: Int32Array;
  /** Samples with an empty stack. */
  empty: number;
  /** Samples in the selection. */
  samples: number;
}

export function countStacks(profile: IProfile, thread: ThreadFilter = null): IStackCounts {
  const self = new Int32Array(profile.stackFrame.length);
  const mask = threadMask(profile, thread);
  let empty = 0;
  let samples = 0;
  if (mask !== null && !mask.includes(1)) {
    return { self, empty, samples };
  }
  const stacks = profile.sampleStack;
  const threads = profile.sampleThread;
  for (let i = 0; i < stacks.length; i++) {
    if (mask !== null && mask[threads[i]] === 0) {
      continue;
    }
    samples++;
    const node = stacks[i];
    if (node < 0) {
      empty++;
    } else {
      self[node]++;
    }
  }
  return { self, empty, samples };
}

export interface ICallTree {
  /** Node 0 is the synthetic root (frame -1, parent -1); children follow their parent. */
  frame: number[];
  parent: number[];
  total: number[];
  self: number[];
}

/** The call tree of the selected samples, children ordered by frame id. */
export function callTree(profile: IProfile, thread: ThreadFilter = null): ICallTree {
  const counts = countStacks(profile, thread);
  const n = profile.stackFrame.length;
  const total = Int32Array.from(counts.self);
  // Parents come before children, so a reverse sweep accumulates totals.
  for (let node = n - 1; node >= 0; node--) {
    const parent = profile.stackParent[node];
    if (parent >= 0) {
      total[parent] += total[node];
    }
  }
  const { first, kids } = childLists(profile, total);
  const out: ICallTree = { frame: [-1], parent: [-1], total: [counts.samples], self: [counts.empty] };
  // Iterative pre-order walk (deep recursion, thousands of frames, must not blow the JS
  // stack) over typed arrays: no array or tuple per node, which at 400k nodes was GC time.
  const pendingNode = new Int32Array(kids.length);
  const pendingParent = new Int32Array(kids.length);
  let top = 0;
  const pushChildren = (node: number, index: number) => {
    for (let i = first[node + 2] - 1; i >= first[node + 1]; i--) {
      pendingNode[top] = kids[i];
      pendingParent[top++] = index;
    }
  };
  pushChildren(-1, 0);
  while (top > 0) {
    const node = pendingNode[--top];
    const index = out.frame.length;
    out.frame.push(profile.stackFrame[node]);
    out.parent.push(pendingParent[top]);
    out.total.push(total[node]);
    out.self.push(counts.self[node]);
    pushChildren(node, index);
  }
  return out;
}

/**
 * The children with samples of each node (-1: the roots) as one array:
 * those of node m are kids[first[m + 1] .. first[m + 2]), sorted by frame id.
 */
function childLists(profile: IProfile, total: Int32Array): { first: Int32Array; kids: Int32Array } {
  const { stackFrame, stackParent } = profile;
  const n = stackFrame.length;
  const first = new Int32Array(n + 2);
  for (let node = 0; node < n; node++) {
    if (total[node] > 0) {
      first[stackParent[node] + 2]++;
    }
  }
  for (let m = 1; m < first.length; m++) {
    first[m] += first[m - 1];
  }
  const kids = new Int32Array(first[n + 1]);
  const fill = first.slice(0, n + 1);
  for (let node = 0; node < n; node++) {
    if (total[node] > 0) {
      kids[fill[stackParent[node] + 1]++] = node;
    }
  }
  const byFrame = (a: number, b: number) => stackFrame[a] - stackFrame[b];
  for (let m = 0; m <= n; m++) {
    if (first[m + 1] - first[m] > 1) {
      kids.subarray(first[m], first[m + 1]).sort(byFrame);
    }
  }
  return { first, kids };
}

export interface ICallEdge {
  /** Caller frame id, -1 for the synthetic root. */
  caller: number;
  callee: number;
  samples: number;
}

export interface ICallGraph {
  /** Per frame: samples where it is the innermost frame. */
  self: Int32Array;
  /** Per frame: samples where it appears at least once. */
  total: Int32Array;
  /** Sorted by (caller, callee); no self-edges; root edges have caller -1. */
  edges: ICallEdge[];
  samples: number;
  /** Samples with an empty stack (self cost of the synthetic root). */
  empty: number;
}

export function callGraph(profile: IProfile, thread: ThreadFilter = null): ICallGraph {
  const counts = countStacks(profile, thread);
  const frameCount = profile.frames.length;
  const self = new Int32Array(frameCount);
  const total = new Int32Array(frameCount);
  const seenFrame = new Int32Array(frameCount).fill(-1);
  const edges = new EdgeIds(profile);
  const { stackFrame, stackParent } = profile;
  for (let node = 0; node < stackFrame.length; node++) {
    const c = counts.self[node];
    if (c === 0) {
      continue;
    }
    self[stackFrame[node]] += c;
    for (let n = node; n >= 0; n = stackParent[n]) {
      const callee = stackFrame[n];
      if (seenFrame[callee] !== node) {
        seenFrame[callee] = node;
        total[callee] += c;
      }
      edges.count(n, node, c);
    }
  }
  return { self, total, edges: edges.list(), samples: counts.samples, empty: counts.empty };
}

/**
 * The caller → callee edge of each stack node, numbered as first met, with
 * its samples counted once per sampled stack: a stamp per edge instead of a
 * Set of packed keys per stack, since the walk visits every frame of every
 * distinct stack (millions of steps near the limit).
 */
class EdgeIds {
  private ofNode: Int32Array;
  private ids = new PairTable();
  private caller: number[] = [];
  private callee: number[] = [];
  private samples: number[] = [];
  private stamp: number[] = [];

  constructor(private profile: IProfile) {
    this.ofNode = new Int32Array(profile.stackFrame.length).fill(NO_EDGE);
  }

  /** Adds `c` samples to node `n`'s edge, once per sampled stack `stack`; self-edges are left out. */
  count(n: number, stack: number, c: number): void {
    let e = this.ofNode[n];
    if (e === NO_EDGE) {
      e = this.ofNode[n] = this.edgeOf(n);
    }
    if (e >= 0 && this.stamp[e] !== stack) {
      this.stamp[e] = stack;
      this.samples[e] += c;
    }
  }

  /** Sorted by (caller, callee). */
  list(): ICallEdge[] {
    const edges: ICallEdge[] = this.samples.map((samples, e) => ({ caller: this.caller[e], callee: this.callee[e], samples }));
    return edges.sort((a, b) => a.caller - b.caller || a.callee - b.callee);
  }

  private edgeOf(n: number): number {
    const { stackFrame, stackParent } = this.profile;
    const callee = stackFrame[n];
    const caller = stackParent[n] >= 0 ? stackFrame[stackParent[n]] : -1;
    if (caller === callee) {
      return SELF_EDGE;
    }
    let e = this.ids.get(caller, callee);
    if (e < 0) {
      e = this.samples.length;
      this.ids.set(caller, callee, e);
      this.caller.push(caller);
      this.callee.push(callee);
      this.samples.push(0);
      this.stamp.push(-1);
    }
    return e;
  }
}

const NO_EDGE = -2;
const SELF_EDGE = -1;

/**
 * Caller → callee edges for formats whose readers add up incoming call costs
 * into a function's inclusive cost (callgrind: callgrind_annotate and
 * KCachegrind). Per sample, each function on the stack gets exactly one
 * incoming edge: the call that entered it first, from its outermost
 * occurrence's caller. So the edges into a function add up to its inclusive
 * samples (callGraph's `total`), however it recurs.
 *
 * Example: main→a→b→a→b in 10 samples gives main→a 10, a→b 10 and b→a 0:
 * a's 10 samples are already charged to main→a, and charging b→a as well
 * would show a at 200 %. Edges seen only as re-entries are kept with 0
 * samples, so the call b→a is still listed. callGraph's edges (once per
 * sample per pair) stay what the Graph JSON gives.
 */
export function firstCallEdges(profile: IProfile, thread: ThreadFilter = null): ICallEdge[] {
  const counts = countStacks(profile, thread);
  const { stackFrame, stackParent } = profile;
  const width = profile.frames.length + 1; // caller -1 becomes 0 in the packed key
  const edgeSamples = new Map<number, number>();
  const seenFrame = new Int32Array(profile.frames.length).fill(-1);
  const path: number[] = [];
  for (let node = 0; node < stackFrame.length; node++) {
    const c = counts.self[node];
    if (c === 0) {
      continue;
    }
    path.length = 0;
    for (let n = node; n >= 0; n = stackParent[n]) {
      path.push(stackFrame[n]);
    }
    // path is leaf first: walk it root first so the first sight is the outermost.
    for (let i = path.length - 1; i >= 0; i--) {
      const callee = path[i];
      const caller = i + 1 < path.length ? path[i + 1] : -1;
      if (caller === callee) {
        continue;
      }
      const key = (caller + 1) * width + callee;
      const first = seenFrame[callee] !== node;
      seenFrame[callee] = node;
      edgeSamples.set(key, (edgeSamples.get(key) ?? 0) + (first ? c : 0));
    }
  }
  const edges: ICallEdge[] = [];
  for (const [key, samples] of edgeSamples) {
    edges.push({ caller: Math.floor(key / width) - 1, callee: key % width, samples });
  }
  edges.sort((a, b) => a.caller - b.caller || a.callee - b.callee);
  return edges;
}
