/**
 * Diff JSON: the contract between the converter (`vmprof-convert A --diff B`,
 * `GET profiles/<a>/diff/<b>`) and the compare view. Documented in
 * docs/architecture.md, "Diff JSON". Computed by model/diff.ts.
 */
import type { FrameKind } from './graph-json';

export const DIFF_FORMAT = 'jupyterlab-vmprof-diff';
export const DIFF_VERSION = 1;

export interface IFunctionDiff {
  name: string;
  /** File as in `a` (as in `b` when absent from `a`), before `fileKey`. */
  file: string;
  kind: FrameKind;
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

/** `GET profiles/<a>/diff/<b>`: what `vmprof-convert A --diff B` writes. */
export interface IDiffJSON {
  format: typeof DIFF_FORMAT;
  version: typeof DIFF_VERSION;
  creator?: string;
  a: { profile: string; samples: number };
  b: { profile: string; samples: number };
  functions: IFunctionDiff[];
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

