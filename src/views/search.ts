/**
 * Function search: which frames match a query, and how to show that in the
 * flame graph (dim everything else) and the table (a row predicate).
 * Pure: no DOM, no plotly.
 *
 * A query is a case-insensitive substring of the function's name or file,
 * or, written as `/pattern/`, a case-insensitive regular expression tried on
 * the name and on the file (a path typed as `/usr/lib/` still finds what
 * the substring would). Searching is by frame, so every call-tree node of a
 * matching function lights up wherever it was called from.
 */
import type { IGraphJSON } from '../model/graph-json';
import { childrenOf, IFlameView } from './flame';
import { formatCount, formatPercent } from './format';
import type { ITableRow } from './table';

/** A parsed query; `error` is set (and nothing matches) for a bad regex. */
export interface ISearchQuery {
  /** The text typed, trimmed. */
  text: string;
  /** Tests one string (name or file). */
  test: (value: string) => boolean;
  /** Why the query cannot be used, for the widget to show; '' when fine. */
  error: string;
}

export interface ISearchResult {
  query: ISearchQuery;
  /** Indices in graph.frames of the matching functions. */
  frames: Set<number>;
}

/**
 * Parse what the user typed. Returns null for an empty query: no search,
 * nothing dimmed.
 */
export function parseQuery(text: string): ISearchQuery | null {
  const trimmed = text.trim();
  if (!trimmed) {
    return null;
  }
  const regex = /^\/(.+)\/$/s.exec(trimmed);
  if (regex) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(regex[1], 'i');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { text: trimmed, test: () => false, error: `not a valid regular expression: ${reason}` };
    }
    return { text: trimmed, test: value => pattern.test(value), error: '' };
  }
  // toLowerCase on both sides is enough for names and paths; no locale rules.
  const needle = trimmed.toLowerCase();
  return { text: trimmed, test: value => value.toLowerCase().includes(needle), error: '' };
}

/** The frames whose name or file matches `text` (null query → null). */
export function searchFrames(graph: IGraphJSON, text: string): ISearchResult | null {
  const query = parseQuery(text);
  if (!query) {
    return null;
  }
  const frames = new Set<number>();
  if (!query.error) {
    graph.frames.forEach((frame, i) => {
      if (query.test(frame.name) || (frame.file !== '' && query.test(frame.file))) {
        frames.add(i);
      }
    });
  }
  return { query, frames };
}

/** Alpha of the boxes that do not match: visible for context, clearly behind. */
export const DIMMED_ALPHA = 0.25;

/** Used for colours this file cannot parse (named colours, hsl()): a neutral grey. */
export const DIMMED_FALLBACK = `rgba(128, 128, 128, ${DIMMED_ALPHA})`;

export interface IFlameHighlight {
  /**
   * One colour per entry of `view.trace` (same order): the box's own colour
   * where it matches, the same colour made translucent where it does not.
   * plotly's icicle has no per-box opacity, so the alpha goes into the
   * colour: `Plotly.restyle(plot, {'marker.colors': [colors]})`.
   */
  colors: string[];
  /** Boxes drawn for matching call-tree nodes. */
  matchedBoxes: number;
  /**
   * Matching call-tree nodes of the view that have no box of their own
   * (merged into "N smaller frames" or below the levels drawn): zoom in to
   * see them. A merged box holding any stays undimmed.
   */
  hiddenMatches: number;
  /**
   * Samples of the view with a matching function on the stack at or below
   * the view root, each counted once (recursion does not inflate it).
   */
  matchedSamples: number;
}

/**
 * Highlight the boxes of `view` (built by buildFlame from `graph`) whose
 * function is in `matches`; dim the rest. Works on buildFlame's output as
 * is: `view.treeNodes[i]` is the tree node of entry i (-1 for a merged
 * box, whose id is `m<parent node>`), `view.trace.marker.colors[i]` its colour.
 */
export function highlightFlame(
  graph: IGraphJSON,
  view: IFlameView,
  matches: ReadonlySet<number>,
  children: number[][] = childrenOf(graph.tree.parent)
): IFlameHighlight {
  const { tree } = graph;
  const { trace, treeNodes, viewRoot } = view;
  const count = tree.frame.length;
  const nodeMatches = (n: number) => n >= 0 && matches.has(tree.frame[n]);

  // Matching nodes in each subtree (children come after their parent, so
  // one backward pass sums them).
  const matchesBelow = new Array<number>(count).fill(0);
  for (let n = count - 1; n >= 0; n--) {
    matchesBelow[n] += nodeMatches(n) ? 1 : 0;
    if (n > 0 && tree.parent[n] >= 0) {
      matchesBelow[tree.parent[n]] += matchesBelow[n];
    }
  }

  // Samples under the outermost matches from the view root down: a node's
  // total already holds its descendants' samples, so each counts once.
  let matchedSamples = 0;
  const covered = new Uint8Array(count);
  const inView = new Uint8Array(count);
  if (viewRoot >= 0 && viewRoot < count) {
    for (let n = viewRoot; n < count; n++) {
      const p = tree.parent[n];
      if (n !== viewRoot && (p < 0 || !inView[p])) {
        continue;
      }
      inView[n] = 1;
      const above = n !== viewRoot && covered[p] === 1;
      covered[n] = above || nodeMatches(n) ? 1 : 0;
      if (!above && nodeMatches(n)) {
        matchedSamples += tree.total[n];
      }
    }
  }

  const drawn = new Set(treeNodes.filter(n => n >= 0));
  const colors: string[] = [];
  let matchedBoxes = 0;
  trace.ids.forEach((id, i) => {
    const node = treeNodes[i];
    const color = trace.marker.colors[i];
    let lit: boolean;
    if (node >= 0) {
      lit = nodeMatches(node);
      matchedBoxes += lit ? 1 : 0;
    } else {
      // A merged box (id `m<parent>`) stands for its parent's undrawn children.
      const parent = Number(id.slice(1));
      lit = (children[parent] ?? []).some(c => !drawn.has(c) && matchesBelow[c] > 0);
    }
    colors.push(lit ? color : dimColor(color));
  });
  const inViewMatches = viewRoot >= 0 && viewRoot < count ? matchesBelow[viewRoot] : 0;
  return { colors, matchedBoxes, hiddenMatches: inViewMatches - matchedBoxes, matchedSamples };
}

/** A table row predicate: the rows of matching functions (never the synthetic rows). */
export function tableRowMatcher(matches: ReadonlySet<number>): (row: ITableRow) => boolean {
  return row => row.frame >= 0 && matches.has(row.frame);
}

/**
 * `color` with alpha DIMMED_ALPHA (times its own alpha), as `rgba(…)`.
 * Understands `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()` and `rgba()`
 * (comma or space separated), which is what the theme variables hold.
 */
export function dimColor(color: string): string {
  const rgba = parseColor(color);
  if (!rgba) {
    return DIMMED_FALLBACK;
  }
  const [r, g, b, a] = rgba;
  return `rgba(${r}, ${g}, ${b}, ${round3(a * DIMMED_ALPHA)})`;
}

function parseColor(color: string): [number, number, number, number] | null {
  const text = color.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(text);
  if (hex) {
    let digits = hex[1];
    if (digits.length === 3 || digits.length === 4) {
      digits = digits.replace(/./g, d => d + d);
    }
    if (digits.length !== 6 && digits.length !== 8) {
      return null;
    }
    const byte = (i: number) => parseInt(digits.slice(i, i + 2), 16);
    return [byte(0), byte(2), byte(4), digits.length === 8 ? byte(6) / 255 : 1];
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(text);
  if (fn) {
    const parts = fn[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length !== 3 && parts.length !== 4) {
      return null;
    }
    const channel = (p: string) =>
      p.endsWith('%') ? (parseFloat(p) / 100) * 255 : parseFloat(p);
    const [r, g, b] = parts.slice(0, 3).map(channel);
    const a = parts.length === 4 ? (parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
    if (![r, g, b, a].every(Number.isFinite)) {
      return null;
    }
    const clamp = (x: number) => Math.min(255, Math.max(0, Math.round(x)));
    return [clamp(r), clamp(g), clamp(b), Math.min(1, Math.max(0, a))];
  }
  return null;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * One line for the search box's status: how many functions match, their
 * share of the view's samples (each sample once), and how many matching
 * call sites have no box of their own in this view.
 */
export function searchSummary(result: ISearchResult, highlight: IFlameHighlight, viewTotal: number): string {
  if (result.query.error) {
    return result.query.error;
  }
  const functions = result.frames.size;
  if (functions === 0) {
    return 'no function matches';
  }
  const share = viewTotal > 0 ? (highlight.matchedSamples / viewTotal) * 100 : 0;
  let text = `${formatCount(functions)} ${functions === 1 ? 'function matches' : 'functions match'}: on the stack in ${formatCount(
    highlight.matchedSamples
  )} samples (${formatPercent(share)}) of this view`;
  if (highlight.hiddenMatches > 0) {
    text += `; ${formatCount(highlight.hiddenMatches)} more ${
      highlight.hiddenMatches === 1 ? 'call is' : 'calls are'
    } too small or too deep to draw here: zoom in`;
  }
  return text;
}
