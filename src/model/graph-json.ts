/**
 * The JSON the server sends to the frontend for one profile view
 * (`GET /jupyterlab-vmprof/profiles/<id>/graph`), produced by
 * `src/formats/graph-json.ts` and read by `src/views/`.
 *
 * Contract: see `docs/architecture.md`, section "Graph JSON". Bump
 * GRAPH_VERSION on any incompatible change; the frontend refuses other
 * versions with a clear message instead of drawing something wrong.
 */

export const GRAPH_FORMAT = 'jupyterlab-vmprof-graph';
export const GRAPH_VERSION = 1;

/** What kind of code a frame is; the views colour frames by it. */
export type FrameKind = 'python' | 'native' | 'jit' | 'interpreter' | 'unknown';

export interface IGraphFrame {
  /** Function name as recorded (co_name, native symbol or JIT name). */
  name: string;
  /** Source file, shared object path, or '' when unknown. */
  file: string;
  /** First line of the function, 0 when unknown. */
  line: number;
  kind: FrameKind;
  /** Samples in which this frame is the innermost one. */
  self: number;
  /** Samples in which this frame appears at least once (≤ samples). */
  total: number;
}

/**
 * The call tree as parallel arrays. Node 0 is the synthetic root (frame
 * -1, parent -1) holding every sample of the view; children come after
 * their parent. total[i] = self[i] + Σ total[children of i].
 */
export interface IGraphTree {
  frame: number[];
  parent: number[];
  total: number[];
  self: number[];
  /**
   * Present when the converter cut the tree to its size limit (src/model/prune.ts):
   * nodes with fewer than `minSamples` samples were dropped with their subtrees,
   * `droppedNodes` in all; each kept node's dropped children are one child of the
   * last frame, `[pruned]` (self and total 0 in `frames`), so totals still add up.
   */
  pruned?: { minSamples: number; droppedNodes: number };
}

/** Caller → callee, counted once per sample (so recursion never inflates it). */
export interface IGraphEdge {
  /** Frame index of the caller; -1 for the synthetic root. */
  caller: number;
  callee: number;
  samples: number;
}

export interface IGraphThread {
  /** Thread id as a decimal or hex string, as recorded in the file. */
  id: string;
  samples: number;
  /**
   * Optional. A name for people: 'main' for the thread whose stacks hold the
   * notebook cell or script (`<module>`), the others 'thread 2', 'thread 3', …
   * in order of first sample ('thread 1', … when no thread is the main one).
   * See src/model/threads.ts.
   */
  label?: string;
  /**
   * Optional: true for a thread of the kernel's own (heartbeat, IOPub,
   * control, history…), not one the cell ran in; only in profiles whose
   * kernel recorded the cell's threads (profile.kernelThreads).
   */
  kernel?: boolean;
}

/**
 * What a timeline's axis measures: 'wall' (monotonic clock: real-time mode,
 * or the fork's timestamps), 'cpu' (process CPU time: vmprof 0.6.0 in its
 * default CPU-time mode), or 'sample-index' (no timestamps in the file: the
 * samples' order, which says nothing about time).
 */
export type TimelineAxis = 'wall' | 'cpu' | 'sample-index';

/**
 * Samples over time in fixed bins (src/model/timeline.ts). Bin i covers
 * [i × binWidth, (i + 1) × binWidth) on the axis, measured from the first
 * sample (the last bin also holds its right edge); the axis is seconds for
 * 'wall' and 'cpu', sample numbers for 'sample-index'. Covers all threads,
 * whatever thread the rest of the JSON was selected for.
 */
export interface IGraphTimeline {
  axis: TimelineAxis;
  unit: 'seconds' | 'samples';
  /**
   * Number of bins: 200 on a time axis (1 when every sample has the same
   * time); min(200, samples) on 'sample-index'.
   */
  binCount: number;
  /** Width of one bin in `unit`s (> 0; may be fractional on 'sample-index'). */
  binWidth: number;
  /** Samples per bin for each thread, in `profile.threads` order; Σ = samples − untimed. */
  threads: { id: string; counts: number[] }[];
  /**
   * Memory mode only, else null: resident set size in kB per bin, the
   * maximum of the bin's samples (see rssStatistic); null for empty bins.
   */
  rssKb: (number | null)[] | null;
  rssStatistic: 'max';
  /** Samples left out because their timestamp is not a finite number. */
  untimed: number;
}

/**
 * One thread's samples in the order they were taken, as runs of consecutive
 * samples with the same stack (src/model/time-order.ts): a time-ordered
 * flame chart. Parallel arrays `node`, `start`, `samples`, in time order.
 * Run i covers [start[i], start[i + 1]) on the axis (the last one up to
 * `end`), measured from the thread's first sample, in the timeline's units;
 * its stack is the path from the tree's root to tree node `node[i]` (0: no
 * frame). At most 2,000 runs: beyond, `coarsened` is true and each run is
 * the stack part that a group of consecutive samples all shared.
 */
export interface IGraphTimeOrder {
  axis: TimelineAxis;
  unit: 'seconds' | 'samples';
  /** The thread shown: the selected one, else the 'main' (or busiest) thread. */
  thread: string;
  node: number[];
  start: number[];
  samples: number[];
  end: number;
  coarsened: boolean;
  /** Samples of the thread left out because their timestamp is not a finite number. */
  untimed: number;
}

/**
 * Per source line of one frame (lines-mode files, src/model/lines.ts):
 * parallel arrays, lines ascending. self: samples whose innermost Python
 * (or JIT) frame is this frame at this line (native frames above it run for
 * that line); total: samples with this (frame, line) anywhere
 * on the stack, counted once per sample (recursion does not inflate it).
 */
export interface IGraphLineCosts {
  line: number[];
  self: number[];
  total: number[];
}

/**
 * Source text of one frame's file for the Lines view (src/node/sources.ts):
 * `text[i]` is line `first + i`; the lines with costs plus a little context,
 * bounded per function and per profile.
 */
export interface IGraphSource {
  first: number;
  text: string[];
}

export interface IGraphProfile {
  /** Samples in this view (after thread selection). */
  samples: number;
  /** Samples in the whole file. */
  totalSamples: number;
  /** Measured duration of the profile in seconds, or null if unknown. */
  durationSeconds: number | null;
  /**
   * Estimated seconds one sample stands for, derived from what was measured
   * (timestamps, else duration / samples); null when nothing was measured.
   */
  secondsPerSample: number | null;
  /** Where secondsPerSample comes from. */
  timeBasis: 'timestamps' | 'duration' | 'none';
  /** Requested sampling period in seconds (not used for time: see design). */
  periodSeconds: number;
  /** 'cpython' or 'pypy'. */
  interpreter: string;
  /** 'linux', 'win64', ... as recorded, '' if not. */
  platform: string;
  /** vmprof file format version. */
  fileVersion: number;
  mode: { native: boolean; lines: boolean; memory: boolean; realTime: boolean };
  threads: IGraphThread[];
  /** The selected thread id, or null for all threads (the cell's, when kernelThreads.included is false). */
  thread: string | null;
  /**
   * Optional, for a notebook cell's profile whose kernel recorded the cell's
   * threads: whether "all threads" holds the kernel's own threads too
   * (`included`), and how many threads and samples they are. Left out, they
   * count in neither `samples` nor any frame: 100 % is the cell's threads.
   */
  kernelThreads?: IKernelThreadCounts;
  /** Things the user must know: truncated file, dropped samples, etc. */
  warnings: string[];
}

/** A cell profile's kernel threads in a view: whether they are in, how many threads and samples. */
export interface IKernelThreadCounts {
  included: boolean;
  threads: number;
  samples: number;
}

export interface IGraphJSON {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_VERSION;
  /** 'jupyterlab-vmprof <version>'. */
  creator: string;
  profile: IGraphProfile;
  frames: IGraphFrame[];
  tree: IGraphTree;
  edges: IGraphEdge[];
  /** Optional: samples over time (any profile with samples). */
  timeline?: IGraphTimeline;
  /** Optional: one thread's stacks in time order (any profile with samples). */
  timeOrder?: IGraphTimeOrder;
  /**
   * Optional, lines-mode files only: per-line costs keyed by frame index
   * (decimal string), for the selected thread; only frames with line data.
   */
  lines?: Record<string, IGraphLineCosts>;
  /**
   * Optional, with `lines`: source text keyed by frame index (decimal
   * string), only for frames whose file the converter could read.
   */
  sources?: Record<string, IGraphSource>;
}
