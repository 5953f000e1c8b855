/**
 * PyPy: a Python function and its JIT-compiled code are one function.
 *
 * PyPy's stacks (vmprof's (kind, value) pairs, kind JITTED for compiled
 * code) show a function twice where the interpreter enters its compiled
 * loop: pystones → Proc0 → Proc0[jit] → Proc8[jit]. Left alone, Proc0 is
 * two frames (two callgrind names, `Proc0 …` and `Proc0 … #2`) and its time
 * is split between them. So every frame of a function that ran JIT-compiled
 * anywhere in the profile becomes one frame of kind 'jit' (the views colour
 * it as JIT code), and the interpreted frame directly followed by its own
 * compiled frame is one call: pystones → Proc0[jit] → Proc8[jit]. What is
 * lost: which samples ran that function interpreted rather than compiled.
 */

import { IFrame } from '../model/profile';
import { StackRewrite } from '../model/transform';

const functionKey = (f: IFrame) => `${f.name}\u0000${f.file}\u0000${f.functionLine ?? f.line}`;

/** The rewrite for one PyPy profile, learnt from its stacks, or null when nothing ran compiled. */
export function jitTwinMerger(stacks: Iterable<readonly IFrame[]>): StackRewrite | null {
  const compiled = new Map<string, IFrame>();
  for (const stack of stacks) {
    for (const f of stack) {
      if (f.kind === 'jit' && f.file !== '' && !compiled.has(functionKey(f))) {
        compiled.set(functionKey(f), f);
      }
    }
  }
  if (compiled.size === 0) {
    return null;
  }
  const asCompiled = (f: IFrame) => (f.kind === 'python' ? compiled.get(functionKey(f)) ?? f : f);
  return stack => {
    const out: IFrame[] = [];
    for (let i = 0; i < stack.length; i++) {
      const f = asCompiled(stack[i]);
      const twin = i > 0 && stack[i - 1].kind === 'python' && stack[i].kind === 'jit' && out[out.length - 1] === f;
      if (!twin) {
        out.push(f);
      }
    }
    return out;
  };
}
