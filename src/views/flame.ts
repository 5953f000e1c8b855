/**
 * Flame graph (icicle, root on top) trace builder: pure, no DOM, no plotly.
 *
 * plotly slows down steeply above ~1,500 boxes, so a view draws at most
 * `maxNodes` of them: the heaviest call-tree nodes first, walking down from
 * the view root by weight, and the rest of each parent's children summed
 * into one "N smaller frames" box (none if that box would itself be below
 * the size threshold). Zooming rebuilds the view from the tree with a new
 * root, so deep parts are never lost, only deferred.
 */
import type { IGraphJSON } from '../model/graph-json';
import {
  escapePlotlyText,
  formatCount,
  formatEstimatedTime,
  formatLocation,
  formatPercent
} from './format';
import { fitLabel } from './labels';
import { FALLBACK_KIND_COLORS, KindColors, kindLabel } from './kinds';

export interface IFlameOptions {
  /** Most boxes in the trace (the merged boxes count too); at least 1. */
  maxNodes: number;
  /** Nodes below this fraction of the view total are merged. */
  minNodeFraction: number;
  /** The tree node drawn as the root of the view (zoom); 0 by default. */
  root?: number;
  /** Levels drawn at once, root included (plotly's maxdepth); all by default. */
  maxDepth?: number;
  /**
   * Width of the plot in CSS pixels, if known: boxes too narrow to ever
   * show their label get none (see `canShowLabel`). Every box keeps its
   * label when absent.
   */
  plotWidth?: number;
  colors?: KindColors;
}

/**
 * The widget hides a label rather than draw it below this font size (its
 * `uniformtext.minsize`), and plotly keeps a few pixels of padding around it.
 */
export const LABEL_MIN_FONT_PX = 10;
const LABEL_PAD_PX = 6;
/** Below the narrowest glyph ('i', 'l') of common UI fonts, per pixel of font size. */
const MIN_GLYPH_EM = 0.2;

/**
 * The label of a box too narrow for its own: measured once for all, and
 * zero wide, so it never lowers the one font size plotly gives all labels
 * (uniformtext), as a blank label (drawn as a space) would.
 */
export const NO_LABEL = '\u200b';

/** Average glyph width of the 12 px label font, a little generous so that plotly need not shrink it. */
const LABEL_CHAR_PX = 7.5;

/**
 * Whether `text` may fit, whole, in a box `width` pixels wide at the
 * smallest font size plotly may use: if not, plotly would hide it anyway
 * (uniformtext "hide"), but only after measuring it in the DOM, a forced
 * layout for each new text.
 */
export function canShowLabel(text: string, width: number): boolean {
  return width >= text.length * MIN_GLYPH_EM * LABEL_MIN_FONT_PX + LABEL_PAD_PX;
}

/** The subset of plotly's icicle trace we produce. */
export interface IIcicleTrace {
  type: 'icicle';
  ids: string[];
  parents: string[];
  values: number[];
  labels: string[];
  hovertext: string[];
  hoverinfo: 'text';
  textinfo: 'label';
  branchvalues: 'total';
  tiling: { orientation: 'v' };
  marker: { colors: string[] };
  /** Levels drawn at once; deeper ones appear when zooming in. */
  maxdepth: number;
}

export interface IFlameView {
  trace: IIcicleTrace;
  /** Tree node of each trace entry; -1 for a merged box. */
  treeNodes: number[];
  /** Tree node at the root of this view. */
  viewRoot: number;
  /** Samples in the view (the root's inclusive samples). */
  viewTotal: number;
  /** Call-tree nodes drawn as their own box. */
  shownNodes: number;
  /** "N smaller frames" boxes drawn. */
  mergedBoxes: number;
  /** Call-tree nodes of the view not drawn on their own (merged, with descendants). */
  mergedNodes: number;
  /**
   * Of `mergedNodes`, those whose merged box would itself be below the
   * threshold: no box, their samples show as the gap under their parent.
   */
  unboxedNodes: number;
  /** Call-tree nodes below the last level drawn (maxDepth); zoom in to see them. */
  deeperNodes: number;
}

/** Label of the box that stands for `count` merged sibling subtrees. */
export function mergedLabel(count: number): string {
  return count === 1 ? '1 smaller frame' : `${formatCount(count)} smaller frames`;
}

/** Children of every tree node, in tree order (children come after parents). */
export function childrenOf(parent: readonly number[]): number[][] {
  const children: number[][] = parent.map(() => []);
  for (let i = 1; i < parent.length; i++) {
    if (parent[i] >= 0) {
      children[parent[i]].push(i);
    }
  }
  return children;
}

/** The frames from the tree root down to `node`, root excluded. */
export function pathTo(graph: IGraphJSON, node: number): number[] {
  const path: number[] = [];
  for (let n = node; n > 0; n = graph.tree.parent[n]) {
    path.push(n);
  }
  return path.reverse();
}

/** The name of a tree node for people (the root is "all samples"). */
export function nodeName(graph: IGraphJSON, node: number): string {
  const frame = graph.tree.frame[node];
  return frame < 0 ? 'all samples' : graph.frames[frame].name || '?';
}

export function buildFlame(
  graph: IGraphJSON,
  options: IFlameOptions,
  children: number[][] = childrenOf(graph.tree.parent)
): IFlameView {
  const { tree } = graph;
  const colors = options.colors ?? FALLBACK_KIND_COLORS;
  const root =
    options.root !== undefined && options.root >= 0 && options.root < tree.total.length
      ? options.root
      : 0;
  const viewTotal = tree.total.length > 0 ? tree.total[root] : 0;
  const maxNodes = Math.max(1, Math.floor(options.maxNodes));
  const threshold = Math.max(0, options.minNodeFraction) * viewTotal;

  // plotly draws maxdepth levels from the root: deeper nodes would spend
  // the budget invisibly, so the walk stops there (zooming reveals them).
  const maxDepth = options.maxDepth !== undefined && options.maxDepth > 0 ? options.maxDepth : Infinity;
  const depth = new Map<number, number>([[root, 0]]);
  const included = new Set<number>();
  // Included nodes with some child (of nonzero weight) not yet included:
  // each will need one merged box at the end, so it counts against the budget.
  const remaining = new Map<number, number>();
  let open = 0;
  // The children a node may show in this view (none at the last level).
  const weightyChildren = (n: number) =>
    depth.get(n)! + 1 < maxDepth ? children[n].filter(c => tree.total[c] > 0) : [];

  const include = (n: number) => {
    included.add(n);
    if (n !== root) {
      depth.set(n, depth.get(tree.parent[n])! + 1);
    }
    const p = tree.parent[n];
    if (n !== root && remaining.has(p)) {
      const left = remaining.get(p)! - 1;
      remaining.set(p, left);
      if (left === 0) {
        open--;
      }
    }
    const count = weightyChildren(n).length;
    remaining.set(n, count);
    if (count > 0) {
      open++;
    }
  };

  const heap = new MaxHeap(tree.total);
  if (tree.total.length > 0) {
    include(root);
    weightyChildren(root).forEach(c => heap.push(c));
  }
  while (heap.size > 0) {
    const n = heap.peek();
    if (tree.total[n] < threshold) {
      break;
    }
    // After including n: its parent may close, n may open.
    const p = tree.parent[n];
    const closes = remaining.get(p) === 1 ? 1 : 0;
    depth.set(n, depth.get(p)! + 1);
    const opens = weightyChildren(n).length > 0 ? 1 : 0;
    if (included.size + 1 + open - closes + opens > maxNodes) {
      break;
    }
    heap.pop();
    include(n);
    weightyChildren(n).forEach(c => heap.push(c));
  }

  const trace: IIcicleTrace = {
    type: 'icicle',
    ids: [],
    parents: [],
    values: [],
    labels: [],
    hovertext: [],
    hoverinfo: 'text',
    textinfo: 'label',
    branchvalues: 'total',
    tiling: { orientation: 'v' },
    marker: { colors: [] },
    maxdepth: Number.isFinite(maxDepth) ? maxDepth : -1
  };
  const treeNodes: number[] = [];
  // A label nobody can see costs plotly a DOM measurement: drop it.
  const plotWidth = options.plotWidth;
  // A name too long for its box is cut with an ellipsis (labels.ts), not dropped.
  const label = (text: string, samples: number) => {
    if (plotWidth === undefined) {
      return escapePlotlyText(text);
    }
    const fitted = fitLabel(text, viewTotal > 0 ? (samples / viewTotal) * plotWidth : 0, LABEL_CHAR_PX);
    return fitted ? escapePlotlyText(fitted) : NO_LABEL;
  };
  const secondsPerSample = graph.profile.secondsPerSample;
  const percentOfView = (samples: number) =>
    formatPercent(viewTotal > 0 ? (samples / viewTotal) * 100 : 0);
  const samplesLine = (what: string, samples: number) => {
    const time = formatEstimatedTime(samples, secondsPerSample);
    return `${what}: ${formatCount(samples)} samples (${percentOfView(samples)} of view)${
      time ? ' ' + time : ''
    }`;
  };

  let mergedBoxes = 0;
  let mergedNodes = 0;
  let unboxedNodes = 0;
  const subtreeSize = subtreeSizes(tree.parent);
  // Emit in tree order so every parent precedes its children.
  const order = Array.from(included).sort((a, b) => a - b);
  for (const n of order) {
    const frameIndex = tree.frame[n];
    const frame = frameIndex >= 0 ? graph.frames[frameIndex] : null;
    const name = nodeName(graph, n);
    trace.ids.push(`n${n}`);
    trace.parents.push(n === root ? '' : `n${tree.parent[n]}`);
    trace.values.push(tree.total[n]);
    trace.labels.push(label(name, tree.total[n]));
    const lines = [`<b>${escapePlotlyText(name)}</b>`];
    if (frame) {
      const where = formatLocation(frame.file, frame.line);
      lines.push(escapePlotlyText(`${where || 'unknown location'} · ${kindLabel(frame.kind)}`));
    }
    lines.push(samplesLine('inclusive', tree.total[n]));
    lines.push(samplesLine('self', tree.self[n]));
    trace.hovertext.push(lines.join('<br>'));
    trace.marker.colors.push(frame ? colors[frame.kind] ?? colors.unknown : colors.root);
    treeNodes.push(n);
  }
  // One merged box per parent whose weighty children were not all drawn.
  for (const n of order) {
    const hidden = weightyChildren(n).filter(c => !included.has(c));
    if (hidden.length === 0) {
      continue;
    }
    const samples = hidden.reduce((sum, c) => sum + tree.total[c], 0);
    const hiddenNodes = hidden.reduce((sum, c) => sum + subtreeSize[c], 0);
    mergedNodes += hiddenNodes;
    if (samples < threshold) {
      // As thin as the nodes it stands for (most under a pixel): plotly
      // would spend as much on it as on a real box, for nothing to see.
      unboxedNodes += hiddenNodes;
      continue;
    }
    mergedBoxes++;
    const merged = mergedLabel(hidden.length);
    trace.ids.push(`m${n}`);
    trace.parents.push(`n${n}`);
    trace.values.push(samples);
    trace.labels.push(label(merged, samples));
    trace.hovertext.push(
      [
        `<b>${merged}</b>`,
        `${formatCount(hiddenNodes)} call-tree nodes too small to draw in this view`,
        samplesLine('inclusive', samples),
        'Click their parent to zoom in and see them.'
      ].join('<br>')
    );
    trace.marker.colors.push(colors.merged);
    treeNodes.push(-1);
  }
  const inView = tree.total.length > 0 ? subtreeSize[root] : 0;
  return {
    trace,
    treeNodes,
    viewRoot: root,
    viewTotal,
    shownNodes: order.length,
    mergedBoxes,
    mergedNodes,
    unboxedNodes,
    deeperNodes: inView - order.length - mergedNodes
  };
}

/** Number of nodes in each node's subtree (itself included). */
export function subtreeSizes(parent: readonly number[]): number[] {
  const size = parent.map(() => 1);
  // Children come after their parent, so one backward pass is enough.
  for (let i = parent.length - 1; i > 0; i--) {
    if (parent[i] >= 0) {
      size[parent[i]] += size[i];
    }
  }
  return size;
}

/**
 * A binary max-heap of node indices by weight; ties go to the lower index
 * (earlier in the tree) so the same graph always gives the same view.
 */
class MaxHeap {
  constructor(private readonly weight: readonly number[]) {}

  get size(): number {
    return this._items.length;
  }

  peek(): number {
    return this._items[0];
  }

  push(node: number): void {
    const items = this._items;
    items.push(node);
    let i = items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this._before(items[i], items[up])) {
        break;
      }
      [items[i], items[up]] = [items[up], items[i]];
      i = up;
    }
  }

  pop(): number {
    const items = this._items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this._before(items[l], items[best])) {
          best = l;
        }
        if (r < items.length && this._before(items[r], items[best])) {
          best = r;
        }
        if (best === i) {
          break;
        }
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }

  private _before(a: number, b: number): boolean {
    const wa = this.weight[a];
    const wb = this.weight[b];
    return wa > wb || (wa === wb && a < b);
  }

  private _items: number[] = [];
}
