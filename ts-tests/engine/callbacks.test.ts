/**
 * Python called back from C, in native mode: each callback sits below the C
 * function that called it, and every Python function's inclusive share
 * agrees with the same workload profiled without native frames (the Python
 * skeleton). Real profiles: test-data/profiles/callbacks (generate.py).
 * Native names come from the ELF files the recorded memory maps list, so
 * the test runs where those libraries are (the recording machine's Python).
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { NativeResolver } from '../../src/node/elf';
import { IProfile } from '../../src/model/profile';
import { callGraph } from '../../src/model/call-graph';
import { prepareProfile } from '../../src/symbols/prepare';
import { PROFILES, ROOT, load } from './helpers';

interface ICase {
  workload: string;
  /** The Python function C calls back (the only one of that name in the workload). */
  callback: string;
  /** The C functions that call it, all of which must be rootward of it. */
  callers: string[];
}

const ALL: ICase[] = [
  { workload: 'sort_with_key', callback: '<lambda>', callers: ['builtin_sorted', 'list_sort'] },
  { workload: 'map_lambda', callback: '<lambda>', callers: ['list_vectorcall', 'map_next'] },
  { workload: 'sum_generator', callback: '<genexpr>', callers: ['builtin_sum'] },
  { workload: 'python_lt', callback: '__lt__', callers: ['builtin_sorted', 'list_sort'] },
  { workload: 'numpy_callback', callback: '<lambda>', callers: ['ufunc_generic_fastcall'] }
];

const DIR = join(PROFILES, 'callbacks');
const CASES = ALL.filter(c => existsSync(join(DIR, `${c.workload}.nonative.prof`)));

/** The recorded maps, with the checkout's placeholder folder pointed at this checkout. */
function resolverFor(workload: string): NativeResolver | null {
  const text = readFileSync(join(DIR, `${workload}.maps`), 'utf-8').split('/src/jupyterlab-vmprof/').join(ROOT + '/');
  const python = text.split('\n').map(l => l.split(/\s+/)[5]).find(p => p && /libpython3\.\d+\.so/.test(p));
  return python && existsSync(python) ? new NativeResolver(text, []) : null;
}

function prepared(workload: string, native: boolean): IProfile | null {
  if (!native) {
    return prepareProfile(load(`callbacks/${workload}.nonative.prof`));
  }
  const resolver = resolverFor(workload);
  return resolver ? prepareProfile(load(`callbacks/${workload}.prof`), { resolveNative: a => resolver.resolve(a) }) : null;
}

/** Inclusive and self share of each Python function, keyed "name:line:file". */
function pythonShares(profile: IProfile): Map<string, { total: number; self: number }> {
  const graph = callGraph(profile);
  const out = new Map<string, { total: number; self: number }>();
  profile.frames.forEach((f, i) => {
    if (f.kind === 'python' && graph.total[i] > 0) {
      out.set(`${f.name}:${f.line}:${f.file}`, { total: graph.total[i] / graph.samples, self: graph.self[i] / graph.samples });
    }
  });
  return out;
}

describe.each(CASES)('$workload', ({ workload, callback, callers }) => {
  const native = prepared(workload, true);
  const run = native ? test : test.skip;
  const nonative = prepared(workload, false)!;

  run('the callback sits below the C functions that call it', () => {
    const p = native!;
    const isCallback = (id: number) => id >= 0 && p.frames[id].name === callback && p.frames[id].kind === 'python';
    let holding = 0;
    for (let node = 0; node < p.stackFrame.length; node++) {
      if (!isCallback(p.stackFrame[node])) {
        continue;
      }
      holding++;
      // Nothing below a callback frame is one of the C functions that called it.
      const below = (n: number): boolean =>
        p.stackParent.some((parent, child) => parent === n && (callers.includes(p.frames[p.stackFrame[child]].name) || below(child)));
      expect(below(node)).toBe(false);
    }
    expect(holding).toBeGreaterThan(0);
    const graph = callGraph(p);
    const id = (name: string) => p.frames.findIndex(f => f.name === name);
    for (const caller of callers) {
      const edge = graph.edges.find(e => isCallback(e.caller) && e.callee === id(caller));
      expect(edge).toBeUndefined();
    }
  });

  run('each Python function: inclusive share within 3 points of --no-native (or 3 standard errors)', () => {
    const want = pythonShares(nonative);
    const got = pythonShares(native!);
    const n = [callGraph(native!).samples, callGraph(nonative).samples];
    for (const [fn, share] of want) {
      if (share.total < 0.02) {
        continue;
      }
      // Two runs of one workload differ by chance: with ~2000 samples each, the
      // difference of a 25 % share has a standard error of 1.4 points.
      const p = share.total;
      const tolerance = Math.max(0.03, 3 * Math.sqrt(p * (1 - p) * (1 / n[0] + 1 / n[1])));
      expect([fn, Math.abs((got.get(fn)?.total ?? 0) - p) <= tolerance]).toEqual([fn, true]);
    }
  });

  run("the callback's own time is Python time", () => {
    const of = (shares: Map<string, { self: number }>) =>
      [...shares].filter(([key]) => key.startsWith(callback + ':')).reduce((sum, [, s]) => sum + s.self, 0);
    const self = of(pythonShares(native!));
    const selfWithoutNative = of(pythonShares(nonative));
    // Without native frames its self time also holds the C it calls (int
    // arithmetic); with them, the time its bytecode ran is still its own.
    expect(self).toBeGreaterThan(0.6 * selfWithoutNative);
  });
});
