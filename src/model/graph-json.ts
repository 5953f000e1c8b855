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
  /** The selected thread id, or null for all threads. */
  thread: string | null;
  /** Things the user must know: truncated file, dropped samples, etc. */
  warnings: string[];
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
}
