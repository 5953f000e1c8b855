/**
 * Python called back from C, put below the C frames that called it
 * (native-mode CPython profiles).
 *
 * How vmprof writes a native-mode stack (vmprof 0.6.0 src/vmp_stack.c,
 * vmp_walk_and_record_stack; docs/vmprof-format.md): C frames from the
 * interrupted one outwards until a frame of the eval loop, then the whole
 * Python frame chain. Read root first, a stack is [Python frames][C frames].
 * When C code called back into Python (sorted's key, map's function, a
 * generator resumed by sum, a Python __lt__) and the walk did not stop at
 * the eval loop running the callback, that callback is the innermost Python
 * frame although it runs below the C frames:
 *
 *   via_map → <lambda> → list_vectorcall → list_extend → map_next → _PyEval_Vector
 *
 * really is
 *
 *   via_map → list_vectorcall → list_extend → map_next → _PyEval_Vector → <lambda>
 *
 * and the sample is <lambda>'s own (Python) time, not map_next's.
 *
 * Which Python frames ran below the C frames is not written down, so it is
 * inferred: a Python frame can sit below the C frames only if one of them
 * enters Python (PYTHON_ENTRY_FRAMES: _PyEval_Vector, gen_iternext, …), and
 * the Python frame that called the outermost C frame must be one seen
 * calling it in a stack without such an entry frame, where nothing is in
 * doubt. Example: `via_map → list_vectorcall → list_extend` (no entry) shows
 * that via_map calls list_vectorcall, so in `via_map → <lambda> →
 * list_vectorcall … _PyEval_Vector` <lambda> moves below _PyEval_Vector,
 * while `via_map → list_vectorcall … _PyEval_Vector` (the sample fell between
 * two calls of the lambda) stays as it is. When no Python frame of the stack
 * was seen calling that C frame, the stack is left as recorded.
 */

import { IFrame } from '../model/profile';
import { StackRewrite } from '../model/transform';
import { PYTHON_ENTRY_FRAMES, baseSymbolName } from './frame-lists';

const isPython = (f: IFrame) => f.kind === 'python' || f.kind === 'unknown';

function frameKey(f: IFrame): string {
  return `${f.kind}\u0000${f.name}\u0000${f.file}\u0000${f.functionLine ?? f.line}`;
}

/**
 * The rewrite for one profile, learnt from all of its stacks (symbolized,
 * root first), or null when no stack has Python called from C.
 */
export function callbackPlacer(
  stacks: Iterable<readonly IFrame[]>,
  entryNames: readonly string[] = PYTHON_ENTRY_FRAMES
): StackRewrite | null {
  const isEntry = entryTest(entryNames);
  // "python frame → outermost C frame" pairs seen where no C frame enters Python.
  const seenCalls = new Set<string>();
  let anyEntry = false;
  for (const stack of stacks) {
    const last = lastPythonIndex(stack);
    if (last < 0 || last === stack.length - 1) {
      continue;
    }
    if (stack.slice(last + 1).some(isEntry)) {
      anyEntry = true;
    } else {
      seenCalls.add(frameKey(stack[last]) + '\u0001' + frameKey(stack[last + 1]));
    }
  }
  if (!anyEntry) {
    return null;
  }
  return stack => placeCallbacks(stack, isEntry, (caller, callee) => seenCalls.has(frameKey(caller) + '\u0001' + frameKey(callee)));
}

/** Whether a frame is a C function that enters Python; memoised per frame object. */
export function entryTest(entryNames: readonly string[] = PYTHON_ENTRY_FRAMES): (f: IFrame) => boolean {
  const entrySet = new Set(entryNames);
  const memo = new Map<IFrame, boolean>();
  return f => {
    let v = memo.get(f);
    if (v === undefined) {
      v = (f.kind === 'native' || f.kind === 'interpreter') && entrySet.has(baseSymbolName(f.name));
      memo.set(f, v);
    }
    return v;
  };
}

function lastPythonIndex(stack: readonly IFrame[]): number {
  for (let i = stack.length - 1; i >= 0; i--) {
    if (isPython(stack[i])) {
      return i;
    }
  }
  return -1;
}

/**
 * One stack: the innermost `moved` Python frames go below the entry frames,
 * where `moved` is the fewest that leaves a Python frame seen calling the
 * outermost C frame on top.
 */
export function placeCallbacks(
  stack: readonly IFrame[],
  isEntry: (f: IFrame) => boolean,
  seenCall: (caller: IFrame, callee: IFrame) => boolean
): readonly IFrame[] {
  const last = lastPythonIndex(stack);
  if (last < 0 || last === stack.length - 1) {
    return stack;
  }
  const entries: number[] = [];
  for (let i = last + 1; i < stack.length; i++) {
    if (isEntry(stack[i])) {
      entries.push(i);
    }
  }
  if (entries.length === 0) {
    return stack;
  }
  // Python frames are stack[0..last], innermost last; moved = j keeps stack[last - j] on top.
  let moved = -1;
  for (let j = 0; j <= last && moved < 0; j++) {
    if (isPython(stack[last - j]) && seenCall(stack[last - j], stack[last + 1])) {
      moved = j;
    }
  }
  if (moved <= 0) {
    return stack;
  }
  // Each eval loop entered from C runs at least one Python frame, so the
  // outermost entries each take one, the innermost hosting one the rest.
  const hosts = Math.min(moved, entries.length);
  const out: IFrame[] = stack.slice(0, last - moved + 1);
  let from = last + 1;
  for (let h = 1; h <= hosts; h++) {
    out.push(...stack.slice(from, entries[h - 1] + 1));
    from = entries[h - 1] + 1;
    if (h < hosts) {
      out.push(stack[last - moved + h]);
    } else {
      out.push(...stack.slice(last - moved + h, last + 1));
    }
  }
  out.push(...stack.slice(from));
  return out;
}
