/**
 * The call tree cut to what the views can use: Graph JSON carries at most
 * MAX_GRAPH_TREE_NODES tree nodes. Why: a profile of 300k distinct stacks
 * has hundreds of thousands of call-tree nodes (85 MB of Graph JSON at 100k
 * random 20-deep stacks), while the flame graph draws at most 1,500 boxes
 * and merges those under 0.1 % of its view (src/views/flame.ts).
 *
 * The lightest nodes go first: every node whose total is below `minSamples`
 * is dropped with its subtree, the smallest threshold that leaves at most
 * the limit. As the notebook copy does (kernel/embed.py), a kept node's
 * dropped children become one child of the synthetic frame `[pruned]`
 * holding their samples, so totals stay exact and still add up (total =
 * self + Σ children) and the flame graph keeps its widths; the tree says so
 * in `pruned`. Zooming keeps 1,000× the resolution of the whole view: with
 * 100,000 nodes, nodes under ~1/100,000 of the samples go first. Function
 * totals, self and edges come from the profile, not the tree, so they are
 * exact whatever is cut; what the callers view adds up from the tree then
 * leaves the dropped nodes out.
 */

import type { IGraphTree } from './graph-json';

export const MAX_GRAPH_TREE_NODES = 100_000;

export const PRUNED_FRAME_NAME = '[pruned]';

/**
 * `tree` itself when it fits, else a copy without its lightest subtrees,
 * whose folded nodes have frame `prunedFrame` (the caller adds that frame).
 */
export function pruneTree(tree: IGraphTree, prunedFrame: number, maxNodes: number = MAX_GRAPH_TREE_NODES): IGraphTree {
  const n = tree.frame.length;
  if (n <= maxNodes) {
    return tree;
  }
  // Totals never grow from parent to child, so a threshold keeps whole paths from the
  // root. Half the budget: each kept node may get one folded child.
  const sorted = Float64Array.from(tree.total).sort();
  const minSamples = sorted[n - Math.floor(maxNodes / 2)] + 1;
  const newIndex = new Int32Array(n).fill(-1);
  const folded = new Int32Array(n).fill(-1); // new index of a kept node → its [pruned] child
  const out: IGraphTree = { frame: [], parent: [], total: [], self: [] };
  const add = (frame: number, parent: number, total: number, self: number) => {
    out.frame.push(frame);
    out.parent.push(parent);
    out.total.push(total);
    out.self.push(self);
    return out.frame.length - 1;
  };
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    const parent = tree.parent[i];
    if (i === 0 || (tree.total[i] >= minSamples && newIndex[parent] >= 0)) {
      newIndex[i] = add(tree.frame[i], parent >= 0 ? newIndex[parent] : -1, tree.total[i], tree.self[i]);
      continue;
    }
    dropped++;
    const home = newIndex[parent];
    if (home < 0) {
      continue; // inside a dropped subtree: already in its top's [pruned] node
    }
    if (folded[home] < 0) {
      folded[home] = add(prunedFrame, home, 0, 0);
    }
    // Drawn as one box: its whole width is its own.
    out.total[folded[home]] += tree.total[i];
    out.self[folded[home]] += tree.total[i];
  }
  out.pruned = { minSamples, droppedNodes: dropped };
  return out;
}
