/**
 * Per-line costs (src/model/lines.ts) against vmprof's own reader
 * (lines_oracle.py): exact self/inclusive counts per (function, line), and
 * vmprof's get_tree() line counts wherever a function is never twice on one
 * stack (get_tree counts a recursive function's lines once per level).
 */

import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { lineCosts } from '../../src/model/lines';
import { IProfile } from '../../src/model/profile';
import { prepareProfile } from '../../src/symbols/prepare';
import { toGraphJSON } from '../../src/formats/graph-json';
import { trampolineKey } from '../../src/symbols/jit-symbols';
import { frameSymbolizer } from '../../src/symbols/symbolize';
import { PROFILES, PYTHON, load } from './helpers';

const LINES_FILES = ['vmprof-0.6.0/lines_memory.prof', 'third-party/vmprof_cpuburn.prof'];

type PerLine = Record<string, Record<string, [number, number]>>;

/** Our costs as {label: {line: [self, total]}} with vmprof's labels. */
function ourCosts(lineLevel: IProfile, shown: IProfile): PerLine {
  const out: PerLine = {};
  for (const [frame, costs] of Object.entries(lineCosts(lineLevel, shown))) {
    const f = shown.frames[Number(frame)];
    const perLine: Record<string, [number, number]> = {};
    costs.line.forEach((line, i) => (perLine[line] = [costs.self[i], costs.total[i]]));
    out[`${f.name}|${f.file}|${f.line}`] = perLine;
  }
  return out;
}

const describeIfPython = existsSync(PYTHON) ? describe : describe.skip;

describeIfPython('per-line costs equal vmprof read_profile', () => {
  test.each(LINES_FILES)('%s', file => {
    const oracle = JSON.parse(
      execFileSync(PYTHON, [join(__dirname, 'lines_oracle.py'), join(PROFILES, file)], { encoding: 'utf-8' })
    );
    expect(oracle.error).toBeUndefined();
    const ours = ourCosts(load(file, true), load(file, false));
    expect(ours).toEqual(oracle.direct);
    const recursive = new Set<string>(oracle.recursive);
    let compared = 0;
    for (const [label, perLine] of Object.entries(ours)) {
      if (recursive.has(label)) {
        continue;
      }
      const totals = Object.fromEntries(Object.entries(perLine).map(([line, [, total]]) => [line, total]));
      expect(totals).toEqual(oracle.tree[label]);
      compared++;
    }
    expect(compared).toBeGreaterThan(3);
  });
});

describe('per-line costs', () => {
  const file = 'vmprof-0.6.0/lines_memory.prof';

  test('recursion counts a (function, line) once per sample', () => {
    const costs = ourCosts(load(file, true), load(file, false));
    const fib = Object.entries(costs).find(([label]) => label.startsWith('fib|'))![1];
    // fib recurses at line 13; 523 samples hold fib, none counts twice.
    expect(fib['13'][1]).toBe(523);
    expect(fib['13'][1]).toBeLessThanOrEqual(load(file).sampleStack.length);
  });

  test('graph JSON: lines hold at least each frame’s self (plus the C code they call), never more than its total', () => {
    const options = { strip: true };
    const shown = prepareProfile(load(file), options);
    const graph = toGraphJSON(shown, { creator: 'test', lineProfile: prepareProfile(load(file, true), options) });
    const lines = graph.lines!;
    expect(Object.keys(lines).length).toBeGreaterThan(3);
    for (const [index, costs] of Object.entries(lines)) {
      const frame = graph.frames[Number(index)];
      expect(frame.kind).toBe('python');
      expect(costs.line).toEqual([...costs.line].sort((a, b) => a - b));
      const lineSelf = costs.self.reduce((a, b) => a + b, 0);
      expect(lineSelf).toBeGreaterThanOrEqual(frame.self);
      expect(lineSelf).toBeLessThanOrEqual(frame.total);
      expect(Math.max(...costs.total)).toBeLessThanOrEqual(frame.total);
      costs.total.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(costs.self[i]));
    }
  });

  test('native mode: a Python line that calls C code has self time (not 0 on every line)', () => {
    const options = { strip: true };
    const shown = prepareProfile(load(file), options);
    expect(shown.info.mode.native).toBe(true);
    const graph = toGraphJSON(shown, { creator: 'test', lineProfile: prepareProfile(load(file, true), options) });
    const selfs = Object.values(graph.lines!).flatMap(costs => costs.self);
    expect(selfs.filter(s => s > 0).length).toBeGreaterThan(3);
    // Σ line self = samples whose innermost Python frame has line data: never more than the view.
    expect(selfs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(graph.profile.samples);
  });

  test('line-level view: each frame has its own single line', () => {
    const lineLevel = prepareProfile(load(file, true));
    const graph = toGraphJSON(lineLevel, { creator: 'test' });
    for (const [index, costs] of Object.entries(graph.lines!)) {
      expect(costs.line).toEqual([graph.frames[Number(index)].line]);
      expect(costs.total[0]).toBe(graph.frames[Number(index)].total);
    }
  });

  test('no lines without lines mode or without a line-level profile', () => {
    expect(toGraphJSON(load('vmprof-0.6.0/mixed.prof'), { creator: 'test' }).lines).toBeUndefined();
    expect(toGraphJSON(load(file), { creator: 'test' }).lines).toBeUndefined();
  });

  test('thread selection applies', () => {
    const lineLevel = load(file, true);
    expect(lineCosts(lineLevel, lineLevel, 'no such thread')).toEqual({});
  });
});

describe('line-level frames and JIT trampolines', () => {
  test('a trampoline is recognised by its first line, not the executing line', () => {
    const symbolize = frameSymbolizer({ trampolines: new Set([trampolineKey('kernel', 'k.py', 5)]) });
    const lineFrame = { name: 'kernel', file: 'k.py', line: 9, kind: 'python' as const, functionLine: 5 };
    expect(symbolize(lineFrame)).toEqual({ ...lineFrame, kind: 'jit' });
    expect(symbolize({ name: 'kernel', file: 'k.py', line: 5, kind: 'python' }).kind).toBe('jit');
  });
});
