/**
 * Frame cleaning: removes what is plumbing, not the user's code.
 *
 * 1. Interpreter frames (kind 'interpreter', see symbolize.ts) are dropped
 *    when Python code lies rootward of them: their time becomes the calling
 *    Python function's own time, which is where a user looks for it.
 *    Example: cell → f → _PyEval_EvalFrameDefault → PyObject_Vectorcall →
 *    builtin_sum becomes cell → f → builtin_sum.
 * 2. The IPython/ipykernel frames above a notebook cell are cut, so the
 *    cell's `<module>` is the root. Stacks without a cell but with runpy's
 *    `_run_code` (a script run by `vmprofrun`, `python -m vmprof` or
 *    `python -m pkg`) are cut to the code runpy ran, as the 2015 prototype
 *    cut everything above Py_Main. Since Python 3.11 runpy is frozen: its
 *    file reads `<frozen runpy>`. Other stacks are left whole.
 * 3. Numba's dispatcher call level (Dispatcher_call & co., see frame-lists)
 *    is dropped between Python code and JIT code, and anywhere under a JIT
 *    trampoline frame (kind 'jit'), so the JIT function appears called by its
 *    Python caller. Example: f → Dispatcher_call → type_call → kernel[jit]
 *    becomes f → kernel; kernel[jit] → Dispatcher_call → <native symbol…>
 *    becomes kernel → <native symbol…>.
 *
 * Rules 1+2 are "strip" (the converter's --no-strip turns them off), rule 3
 * is "collapse dispatcher" (--no-collapse-dispatcher). PyPy's JIT twins: pypy.ts.
 */

import { IFrame, IProfile } from '../model/profile';
import { StackRewrite, rewriteStacks } from '../model/transform';
import { NOTEBOOK_CELL_FILES, NUMBA_DISPATCHER_FRAMES, baseSymbolName } from './frame-lists';

export interface ICleanOptions {
  /** Drop interpreter frames and the IPython frames above a cell (default true). */
  strip?: boolean;
  /** Drop Numba's dispatcher level (default true). */
  collapseDispatcher?: boolean;
  dispatcherFrames?: readonly string[];
  cellFiles?: readonly RegExp[];
}

export function cleanProfile(profile: IProfile, options: ICleanOptions = {}): IProfile {
  const clean = stackCleaner(options);
  return clean ? rewriteStacks(profile, clean) : profile;
}

/** The per-stack function behind cleanProfile(), or null when there is nothing to do. */
export function stackCleaner(options: ICleanOptions = {}): StackRewrite | null {
  const strip = options.strip !== false;
  const collapse = options.collapseDispatcher !== false;
  if (!strip && !collapse) {
    return null;
  }
  const dispatcher = new Set(options.dispatcherFrames ?? NUMBA_DISPATCHER_FRAMES);
  const cellFiles = options.cellFiles ?? NOTEBOOK_CELL_FILES;
  const isDispatcher = memo((f: IFrame) => f.kind !== 'python' && dispatcher.has(baseSymbolName(f.name)));
  // The name first, then the memo: a string comparison is cheaper than a Map lookup per frame of every stack.
  const cellFile = memo((f: IFrame) => cellFiles.some(re => re.test(f.file)));
  const runpyFile = memo((f: IFrame) => /(^|[/\\])runpy\.py$|^<frozen runpy>$/.test(f.file));
  const isCell = (f: IFrame) => f.name === '<module>' && cellFile(f);
  const isRunpy = (f: IFrame) => f.name === '_run_code' && runpyFile(f);
  return stack => {
    let out = stack;
    if (strip) {
      const cut = cutAboveCell(out, isCell);
      out = stripInterpreter(cut === out ? cutAboveRunpy(out, isRunpy) : cut);
    }
    if (collapse) {
      out = collapseDispatcher(out, isDispatcher);
    }
    return out;
  };
}

function memo(test: (f: IFrame) => boolean): (f: IFrame) => boolean {
  const cache = new Map<IFrame, boolean>();
  return f => {
    let v = cache.get(f);
    if (v === undefined) {
      v = test(f);
      cache.set(f, v);
    }
    return v;
  };
}

const isCode = (f: IFrame) => f.kind === 'python' || f.kind === 'jit' || f.kind === 'unknown';

/**
 * Frames from the innermost notebook cell on (stack unchanged when no cell).
 * Innermost, because `%%vmprof` itself runs inside a cell: the stack reads
 * cell(`%%vmprof` line) → run_cell_magic → … → run_code → cell(user code) → f,
 * and the user's cell, not the magic's wrapper, must be the root.
 */
export function cutAboveCell(stack: readonly IFrame[], isCell: (f: IFrame) => boolean): readonly IFrame[] {
  for (let at = stack.length - 1; at >= 0; at--) {
    if (isCell(stack[at])) {
      return at > 0 ? stack.slice(at) : stack;
    }
  }
  return stack;
}

/** Frames below runpy's innermost `_run_code`: the script's own `<module>` on. */
export function cutAboveRunpy(stack: readonly IFrame[], isRunpy: (f: IFrame) => boolean): readonly IFrame[] {
  for (let at = stack.length - 2; at >= 0; at--) {
    if (isRunpy(stack[at])) {
      return stack.slice(at + 1);
    }
  }
  return stack;
}

export function stripInterpreter(stack: readonly IFrame[]): readonly IFrame[] {
  // Most stacks (all of a pure-Python profile) have no interpreter frame: no copy then.
  if (!stack.some(f => f.kind === 'interpreter')) {
    return stack;
  }
  let codeSeen = false;
  const out: IFrame[] = [];
  for (const f of stack) {
    if (f.kind === 'interpreter' && codeSeen) {
      continue;
    }
    codeSeen ||= isCode(f);
    out.push(f);
  }
  return out.length === stack.length ? stack : out;
}

export function collapseDispatcher(stack: readonly IFrame[], isDispatcher: (f: IFrame) => boolean): readonly IFrame[] {
  // Python frames are never the dispatcher (isDispatcher is false for them): no copy for pure-Python stacks.
  if (stack.every(f => f.kind === 'python')) {
    return stack;
  }
  let lastCode: IFrame | null = null; // nearest Python/JIT frame rootward
  const out: IFrame[] = [];
  for (let i = 0; i < stack.length; i++) {
    const f = stack[i];
    if (isDispatcher(f) && lastCode !== null) {
      // Under a JIT trampoline frame the dispatcher is always its call level;
      // under plain Python only when JIT code follows.
      const next = stack.slice(i + 1).find(g => !isDispatcher(g) && g.kind !== 'interpreter');
      if (lastCode.kind === 'jit' || next?.kind === 'jit') {
        continue;
      }
    }
    if (isCode(f)) {
      lastCode = f;
    }
    out.push(f);
  }
  return out.length === stack.length ? stack : out;
}
