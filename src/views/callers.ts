/**
 * Caller / callee view of one function, like KCachegrind's: who called the
 * selected function and whom it called, from the Graph JSON's `edges`.
 * Pure: no DOM, no plotly. Names stay raw text (the widget sets them with
 * textContent); nothing here goes to plotly.
 *
 * What the numbers mean, from the contract (docs/architecture.md):
 * - an edge caller → callee holds the samples whose stack has that call at
 *   least once, so deep recursion never inflates it, and an edge's samples
 *   never exceed the callee's (or the caller's) inclusive samples;
 * - the data holds no self edges (f → f): a function that calls itself
 *   shows no such row, and its inclusive samples count each sample once;
 * - percentages are of the selected function's inclusive samples. A sample
 *   can hold several different calls into (or out of) the function, e.g.
 *   a → f → b → f, so the callers' percentages may add up to more than
 *   100%; they are never rescaled to hide that.
 */
import type { FrameKind, IGraphEdge, IGraphJSON } from '../model/graph-json';
import {
  formatCount,
  formatEstimatedTime,
  formatLocation,
  formatPercent
} from './format';
import { functionColumns, type IFunctionColumns, kindLabel } from './kinds';

/** Name shown for the synthetic root: the outermost recorded frame's "caller". */
export const ROOT_CALLER_NAME = '<root>';

/** Edges grouped by callee and by caller, built once per graph. */
export interface ICallIndex {
  /** For each frame, the edges calling it. */
  into: IGraphEdge[][];
  /** For each frame, the edges it makes. */
  outOf: IGraphEdge[][];
}

export interface ICallRow extends IFunctionColumns {
  /** Samples with this call on the stack (once per sample). */
  samples: number;
  /** Of the selected function's inclusive samples. */
  percent: number;
  percentText: string;
  samplesText: string;
  /** Estimated from the measured time per sample, '' when none was measured. */
  timeText: string;
}

/**
 * How the selected function recurs, read from the call tree (the edges
 * cannot say: they hold no self edges). 'direct': it calls itself (some
 * tree node has the same frame as its parent); 'indirect': it reappears
 * higher on its own stack only through other functions; 'none'.
 */
export type Recursion = 'none' | 'direct' | 'indirect';

export interface ICallersView {
  frame: number;
  name: string;
  location: string;
  kind: FrameKind;
  kindLabel: string;
  /** Samples in which the function is the innermost frame. */
  self: number;
  /** Samples in which the function is on the stack (once per sample). */
  total: number;
  /** Self and inclusive as a share of the view's samples. */
  selfPercent: number;
  totalPercent: number;
  selfText: string;
  totalText: string;
  selfTimeText: string;
  totalTimeText: string;
  /** Samples the self/inclusive percentages are of (the view's samples). */
  viewTotal: number;
  /** Sorted by samples, descending, then by frame order. */
  callers: ICallRow[];
  callees: ICallRow[];
  recursion: Recursion;
  /** Sentences for people about how to read the numbers (may be empty). */
  notes: string[];
}

/** Group the edges by callee and by caller (O(edges)). */
export function buildCallIndex(graph: IGraphJSON): ICallIndex {
  const into: IGraphEdge[][] = graph.frames.map(() => []);
  const outOf: IGraphEdge[][] = graph.frames.map(() => []);
  for (const edge of graph.edges) {
    if (edge.callee >= 0 && edge.callee < into.length) {
      into[edge.callee].push(edge);
    }
    if (edge.caller >= 0 && edge.caller < outOf.length) {
      outOf[edge.caller].push(edge);
    }
  }
  return { into, outOf };
}

/** How `frame` recurs in the call tree; see `Recursion`. */
export function recursionOf(graph: IGraphJSON, frame: number): Recursion {
  const { tree } = graph;
  let found: Recursion = 'none';
  for (let n = 0; n < tree.frame.length; n++) {
    if (tree.frame[n] !== frame) {
      continue;
    }
    const parent = tree.parent[n];
    if (parent >= 0 && tree.frame[parent] === frame) {
      return 'direct';
    }
    // Walk up: another node of the same frame above means re-entry.
    for (let a = parent; a > 0; a = tree.parent[a]) {
      if (tree.frame[a] === frame) {
        found = 'indirect';
        break;
      }
    }
  }
  return found;
}

/**
 * The caller/callee view of `frame`, or null when there is no such frame.
 * Pass `index` when building views of many frames of one graph.
 */
export function buildCallers(
  graph: IGraphJSON,
  frame: number,
  index: ICallIndex = buildCallIndex(graph)
): ICallersView | null {
  const selected = graph.frames[frame];
  if (!Number.isInteger(frame) || !selected) {
    return null;
  }
  const viewTotal = graph.tree.total.length > 0 ? graph.tree.total[0] : graph.profile.samples;
  const secondsPerSample = graph.profile.secondsPerSample;
  const ofView = (samples: number) => (viewTotal > 0 ? (samples / viewTotal) * 100 : 0);
  const ofFunction = (samples: number) =>
    selected.total > 0 ? (samples / selected.total) * 100 : 0;

  const row = (other: number, samples: number): ICallRow => {
    const f = other >= 0 ? graph.frames[other] : undefined;
    const percent = ofFunction(samples);
    return {
      ...functionColumns(other, f, ROOT_CALLER_NAME),
      samples,
      percent,
      percentText: formatPercent(percent),
      samplesText: formatCount(samples),
      timeText: formatEstimatedTime(samples, secondsPerSample)
    };
  };
  const bySamples = (a: ICallRow, b: ICallRow) => b.samples - a.samples || a.frame - b.frame;
  // Self edges are not in the data (see the top of the file); skip any that
  // a future converter might send so the rows keep that one meaning.
  const callers = (index.into[frame] ?? [])
    .filter(e => e.caller !== frame)
    .map(e => row(e.caller, e.samples))
    .sort(bySamples);
  const callees = (index.outOf[frame] ?? [])
    .filter(e => e.callee !== frame)
    .map(e => row(e.callee, e.samples))
    .sort(bySamples);

  const recursion = recursionOf(graph, frame);
  const notes: string[] = [];
  if (recursion === 'direct') {
    notes.push(
      'This function calls itself. Calls to itself are not listed, and its samples are counted once however deep the recursion.'
    );
  } else if (recursion === 'indirect') {
    notes.push(
      'This function is re-entered through other functions (recursion); its samples are counted once however deep the recursion.'
    );
  }
  const callerSum = callers.reduce((sum, r) => sum + r.samples, 0);
  if (callerSum > selected.total) {
    notes.push(
      'Some samples hold more than one call into this function, so the callers add up to more than 100%.'
    );
  }

  return {
    frame,
    name: selected.name,
    location: formatLocation(selected.file, selected.line),
    kind: selected.kind,
    kindLabel: kindLabel(selected.kind),
    self: selected.self,
    total: selected.total,
    selfPercent: ofView(selected.self),
    totalPercent: ofView(selected.total),
    selfText: formatPercent(ofView(selected.self)),
    totalText: formatPercent(ofView(selected.total)),
    selfTimeText: formatEstimatedTime(selected.self, secondsPerSample),
    totalTimeText: formatEstimatedTime(selected.total, secondsPerSample),
    viewTotal,
    callers,
    callees,
    recursion,
    notes
  };
}
