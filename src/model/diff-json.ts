/**
 * Diff JSON: the contract between the converter (`vmprof-convert A --diff B`,
 * `GET profiles/<a>/diff/<b>`) and the compare view. Documented in
 * docs/architecture.md, "Diff JSON". Computed by model/diff.ts.
 */
import type { FrameKind, IKernelThreadCounts } from './graph-json';
import type { IKernelThreads } from './threads';

export const DIFF_FORMAT = 'jupyterlab-vmprof-diff';
export const DIFF_VERSION = 1;

export interface IFunctionDiff {
  name: string;
  /** File as in `a` (as in `b` when absent from `a`), before `fileKey`. */
  file: string;
  kind: FrameKind;
  /**
   * Native code: the library as matched (base name, no build hash), shown
   * as `library:name`; absent for other kinds and unknown libraries.
   */
  library?: string;
  /** First line in each profile (the smallest when merged), null when absent there. */
  lineA: number | null;
  lineB: number | null;
  /** Samples where the function is innermost / on the stack (once per sample). */
  selfA: number;
  totalA: number;
  selfB: number;
  totalB: number;
  /** The same as fractions of the profile's samples (0 when it has none). */
  selfFractionA: number;
  totalFractionA: number;
  selfFractionB: number;
  totalFractionB: number;
  /** selfFractionB − selfFractionA, and the same for total. */
  selfDelta: number;
  totalDelta: number;
}

/**
 * The merged call tree of both profiles (model/diff-tree.ts), as parallel
 * arrays; node 0 is the root (every sample), parents come before children.
 */
export interface IDiffTree {
  /** Parent node, −1 for the root. */
  parent: number[];
  /** Index into `functions`; −1 for the root and for folded (pruned) children. */
  fn: number[];
  /** Samples of each profile with the node innermost / on the path. */
  selfA: number[];
  totalA: number[];
  selfB: number[];
  totalB: number[];
}

/**
 * One side of a comparison. `samples` are the samples compared (the cell's
 * threads' unless the kernel's are included); `kernelThreads`, as in Graph
 * JSON's profile, is present only when that profile recorded its cell's
 * threads and the kernel's own had samples: whether they are in `samples`,
 * and how many threads and samples they are.
 */
export interface IDiffSide {
  profile: string;
  samples: number;
  kernelThreads?: IKernelThreadCounts;
}

/** One side as the converter writes it; the kernel's threads counted as Graph JSON counts them. */
export function diffSide(profile: string, samples: number, kernel?: IKernelThreads): IDiffSide {
  if (!kernel) {
    return { profile, samples };
  }
  return { profile, samples, kernelThreads: { included: kernel.included, threads: kernel.ids.length, samples: kernel.samples } };
}

/** `GET profiles/<a>/diff/<b>`: what `vmprof-convert A --diff B` writes. */
export interface IDiffJSON {
  format: typeof DIFF_FORMAT;
  version: typeof DIFF_VERSION;
  creator?: string;
  a: IDiffSide;
  b: IDiffSide;
  functions: IFunctionDiff[];
  /** The differential flame graph's tree; absent from older converters' output. */
  tree?: IDiffTree;
}

/** Whether a value is Diff JSON this frontend can show (a newer version is not). */
export function isDiffJSON(value: unknown): value is IDiffJSON {
  const v = value as IDiffJSON | null;
  return (
    !!v &&
    v.format === DIFF_FORMAT &&
    v.version === DIFF_VERSION &&
    Array.isArray(v.functions) &&
    typeof v.a?.samples === 'number' &&
    typeof v.b?.samples === 'number'
  );
}

