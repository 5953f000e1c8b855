/**
 * Per-line costs of each function (lines-mode files): which source lines of
 * a function were executing when it was sampled.
 *
 * Works on a line-level profile (read with `lines: true`, where a Python
 * frame's `line` is the executing line and `functionLine` its function's
 * first line) and reports against the frames of the profile the user sees,
 * which is usually the function-level one: a line frame belongs to the
 * function frame with the same name, file, kind and first line.
 *
 * Counting follows the call graph (views.ts), as line_profiler does: self =
 * samples whose innermost Python (or JIT) frame is at that line, so time in
 * C code that the line calls (native mode: the leaf is then a native frame)
 * is the line's own, while time in Python functions it calls is not;
 * total = samples with that (function, line) anywhere on the stack, once
 * per sample. Example: fib at line 13 calling fib at line
 * 13 calling fib at line 12 counts 1 for (fib, 13) and 1 for (fib, 12).
 */

import { IGraphLineCosts } from './graph-json';
import { IFrame, IProfile } from './profile';
import { ThreadFilter, countStacks } from './call-graph';

/**
 * `lineProfile`'s line costs keyed by frame index of `shown` (the same
 * profile, or its function-level twin: same file, same symbol options).
 */
export function lineCosts(
  lineProfile: IProfile,
  shown: IProfile,
  thread: ThreadFilter = null
): Record<string, IGraphLineCosts> {
  const target = targetFrames(lineProfile, shown);
  const counts = countStacks(lineProfile, thread);
  // (target frame, line) packed into one number: lines stay below 2^31.
  const LINE_SPAN = 2 ** 31;
  const cost = new Map<number, [number, number]>();
  const costOf = (key: number) => {
    let c = cost.get(key);
    if (c === undefined) {
      c = [0, 0];
      cost.set(key, c);
    }
    return c;
  };
  const keyOf = (frame: number): number => {
    const f = lineProfile.frames[frame];
    const t = target[frame];
    return t >= 0 && f.line > 0 ? t * LINE_SPAN + f.line : -1;
  };
  const { stackFrame, stackParent } = lineProfile;
  const seen = new Set<number>();
  for (let node = 0; node < stackFrame.length; node++) {
    const c = counts.self[node];
    if (c === 0) {
      continue;
    }
    const leafKey = keyOf(ownerOf(lineProfile, node));
    if (leafKey >= 0) {
      costOf(leafKey)[0] += c;
    }
    seen.clear();
    for (let n = node; n >= 0; n = stackParent[n]) {
      const key = keyOf(stackFrame[n]);
      if (key >= 0 && !seen.has(key)) {
        seen.add(key);
        costOf(key)[1] += c;
      }
    }
  }
  const keys = [...cost.keys()].sort((a, b) => a - b);
  const out: Record<string, IGraphLineCosts> = {};
  for (const key of keys) {
    const frame = Math.floor(key / LINE_SPAN);
    const entry = (out[frame] ??= { line: [], self: [], total: [] });
    const [self, total] = cost.get(key)!;
    entry.line.push(key % LINE_SPAN);
    entry.self.push(self);
    entry.total.push(total);
  }
  return out;
}

/** The innermost Python or JIT frame of a stack: native and interpreter frames above it run for it. */
function ownerOf(profile: IProfile, node: number): number {
  for (let n = node; n >= 0; n = profile.stackParent[n]) {
    const kind = profile.frames[profile.stackFrame[n]].kind;
    if (kind === 'python' || kind === 'jit') {
      return profile.stackFrame[n];
    }
  }
  return profile.stackFrame[node];
}

/** Per frame of `lineProfile`: index of its frame in `shown`, or -1 (no line data / not shown). */
function targetFrames(lineProfile: IProfile, shown: IProfile): Int32Array {
  const target = new Int32Array(lineProfile.frames.length).fill(-1);
  if (shown === lineProfile) {
    lineProfile.frames.forEach((f, i) => (target[i] = f.functionLine !== undefined ? i : -1));
    return target;
  }
  const keyOf = (f: IFrame, line: number) => `${f.kind}\u0000${line}\u0000${f.file}\u0000${f.name}`;
  const index = new Map<string, number>();
  shown.frames.forEach((f, i) => {
    if (f.functionLine === undefined) {
      index.set(keyOf(f, f.line), i);
    }
  });
  lineProfile.frames.forEach((f, i) => {
    if (f.functionLine !== undefined) {
      target[i] = index.get(keyOf(f, f.functionLine)) ?? -1;
    }
  });
  return target;
}
