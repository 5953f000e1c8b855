/**
 * Profile → callgrind text, for KCachegrind/QCachegrind and callgrind_annotate.
 * Spec: https://valgrind.org/docs/manual/cl-format.html; the choices below
 * are explained in docs/callgrind.md.
 *
 * What a sampling profile cannot say, and what we write instead:
 * - Call counts are unknown: every edge says `calls=1` (0 would make
 *   callgrind_annotate drop the edge). Example: main→work seen in 30 samples
 *   gives `calls=1 <line>` then `<line> 30`.
 * - Recursion: readers take a function's inclusive cost as the sum of the
 *   costs of the calls into it, so per sample each function is charged to
 *   one call only, the one that entered it first (firstCallEdges in
 *   src/model/call-graph.ts); A→A edges are left out. Examples: main→fib→fib→fib
 *   in 10 samples gives main→fib 10 and no fib→fib; main→a→b→a in 10
 *   samples gives main→a 10, a→b 10 and b→a 0 (listed, at no cost), so a
 *   is 10 (not 20) in KCachegrind and callgrind_annotate --inclusive=yes.
 *   Re-entries are what callgrind loses; the Graph JSON's edges keep them.
 * - Roots: a synthetic `<root>` calls every outermost frame, so no function
 *   is both a root and a callee (KCachegrind would lose the root part).
 *   Samples with an empty stack are `<root>`'s self cost.
 * - Call sites are unknown: a call's position is the caller's first line.
 */

import { IFrame, IProfile } from '../model/profile';
import { ThreadFilter, callGraph, firstCallEdges } from '../model/call-graph';

export interface ICallgrindOptions {
  /** 'jupyterlab-vmprof <version>'. */
  creator: string;
  thread?: ThreadFilter;
  /** Which threads the file holds, for a `desc: Threads:` line (src/model/threads.ts describeSelection). */
  threads?: string;
  pid?: number;
  cmd?: string;
}

const ROOT_NAME = '<root>';

export function toCallgrind(profile: IProfile, options: ICallgrindOptions): string {
  const graph = callGraph(profile, options.thread ?? null);
  const names = uniqueNames(profile.frames);
  const ids = new CompressedIds();
  const lines: string[] = [];
  const info = profile.info;

  lines.push('# callgrind format', 'version: 1', `creator: ${oneLine(options.creator)}`);
  if (options.pid !== undefined) {
    lines.push(`pid: ${options.pid}`);
  }
  if (options.cmd !== undefined) {
    lines.push(`cmd: ${oneLine(options.cmd)}`);
  }
  lines.push('part: 1');
  if (options.threads) {
    lines.push(`desc: Threads: ${oneLine(options.threads)}`);
  }
  if (info.secondsPerSample !== null) {
    lines.push(`desc: Seconds per sample: ${info.secondsPerSample.toPrecision(6)} (from ${info.timeBasis})`);
  }
  lines.push(
    'positions: line',
    'event: Samples : Samples (stacks sampled by vmprof)',
    'events: Samples',
    `summary: ${graph.samples}`,
    ''
  );

  const outgoing = new Map<number, typeof graph.edges>();
  for (const e of firstCallEdges(profile, options.thread ?? null)) {
    const list = outgoing.get(e.caller) ?? [];
    list.push(e);
    outgoing.set(e.caller, list);
  }
  const position = (frame: number) => (frame < 0 ? 0 : Math.max(0, profile.frames[frame].line));
  const place = (frame: number) =>
    frame < 0 ? { ob: '[root]', fl: '[root]', fn: ROOT_NAME } : { ...placeOf(profile.frames[frame]), fn: names[frame] };

  const writeFunction = (frame: number, self: number) => {
    const p = place(frame);
    lines.push(`ob=${ids.ob(p.ob)}`, `fl=${ids.fl(p.fl)}`, `fn=${ids.fn(p.fn)}`, `${position(frame)} ${self}`);
    for (const e of outgoing.get(frame) ?? []) {
      const c = place(e.callee);
      lines.push(
        `cob=${ids.ob(c.ob)}`,
        `cfl=${ids.fl(c.fl)}`,
        `cfn=${ids.fn(c.fn)}`,
        `calls=1 ${position(e.callee)}`,
        `${position(frame)} ${e.samples}`
      );
    }
    lines.push('');
  };

  lines.push('# synthetic root: calls every outermost frame');
  writeFunction(-1, graph.empty);
  for (let frame = 0; frame < profile.frames.length; frame++) {
    if (graph.total[frame] > 0) {
      writeFunction(frame, graph.self[frame]);
    }
  }
  lines.push(`totals: ${graph.samples}`, '');
  return lines.join('\n');
}

/** `ob=` separates Python, JIT and native code; `fl=` is the source file or `???`. */
export function placeOf(frame: IFrame): { ob: string; fl: string } {
  const file = oneLine(frame.file);
  switch (frame.kind) {
    case 'python':
      return { ob: '[python]', fl: file || '???' };
    case 'jit':
      return { ob: '[jit]', fl: file || '???' };
    case 'native':
    case 'interpreter':
      if (/\.so(\.[0-9.]+)?$|\.dll$|\.dylib$|\.pyd$|^\/.*\/(python|pypy)[0-9.]*$/.test(file)) {
        return { ob: file, fl: '???' };
      }
      return { ob: '[native]', fl: file || '???' };
    default:
      return { ob: '[unknown]', fl: file || '???' };
  }
}

/**
 * Function names unique across the file (gprof2dot keys on the name alone):
 * `name file:line`, the convention of lsprofcalltree and the vmprof
 * prototype; a number is appended if two frames still collide.
 */
export function uniqueNames(frames: readonly IFrame[]): string[] {
  const used = new Map<string, number>();
  used.set(ROOT_NAME, 1);
  return frames.map(f => {
    const base = oneLine(f.file ? `${f.name} ${f.file}:${f.line}` : f.name);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    return n === 0 ? base : `${base} #${n + 1}`;
  });
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** Name compression: `(id) name` on first use, `(id)` afterwards; one id space each for objects, files and functions. */
class CompressedIds {
  private spaces = { ob: new Map<string, number>(), fl: new Map<string, number>(), fn: new Map<string, number>() };

  ob(name: string): string {
    return this.ref(this.spaces.ob, name);
  }

  fl(name: string): string {
    return this.ref(this.spaces.fl, name);
  }

  fn(name: string): string {
    return this.ref(this.spaces.fn, name);
  }

  private ref(space: Map<string, number>, name: string): string {
    const id = space.get(name);
    if (id !== undefined) {
      return `(${id})`;
    }
    space.set(name, space.size + 1);
    return `(${space.size}) ${name}`;
  }
}
