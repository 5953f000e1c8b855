/**
 * Recursion never inflates an inclusive figure: a function that appears
 * twice on one stack, with other frames between, counts once per sample in
 * callgrind (read by callgrind_annotate --inclusive=yes), Graph JSON, the
 * table and callers views, and diffs.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { placeOf, toCallgrind, uniqueNames } from '../../src/formats/callgrind';
import { toGraphJSON } from '../../src/formats/graph-json';
import { diffProfiles } from '../../src/model/diff';
import { IFrame, IProfile, ProfileBuilder } from '../../src/model/profile';
import { callGraph, firstCallEdges } from '../../src/model/call-graph';
import { buildCallIndex, buildCallers } from '../../src/views/callers';
import { buildTable } from '../../src/views/table';
import { functionCounts } from './helpers';
import { INFO, profileOf } from './model-helpers';

const ANNOTATE = '/usr/bin/callgrind_annotate';
const dir = mkdtempSync(join(tmpdir(), 'vmprof-rec-'));

/** What `python -m jupyterlab_vmprof.cli.runscript script.py` records on 3.11 (--no-strip). */
function vmprofrunLike(): IProfile {
  const b = new ProfileBuilder();
  const runpy = '<frozen runpy>';
  const frame = ([name, file, line]: [string, string, number]) => b.frame(name, file, line, 'python');
  const above: Array<[string, string, number]> = [
    ['_run_module_as_main', runpy, 198],
    ['_run_code', runpy, 88],
    ['<module>', '/x/runscript.py', 1],
    ['main', '/x/runscript.py', 40],
    ['run_path', runpy, 262],
    ['_run_module_code', runpy, 94],
    ['_run_code', runpy, 88],
    ['<module>', '/x/script.py', 1]
  ];
  const work: Array<[string, string, number]> = [['work', '/x/script.py', 3], ['rest', '/x/script.py', 9]];
  for (let i = 0; i < 10; i++) {
    b.addSample(b.stackOf([...above, ...work.slice(0, 1 + (i % 2))].map(frame)), b.thread('1'));
  }
  return b.build(INFO);
}

const CASES: Array<[string, IProfile]> = [
  ['mutual recursion a → b → a → b', profileOf([['main;a;b;a;b'], ['main;a;b;a'], ['main;a;b'], ['main;a']])],
  ['indirect recursion through a helper', profileOf([['main;f;h;f;h;g'], ['main;f;h;f'], ['main;g;h;f;h'], ['main;h']])],
  ['a vmprofrun-like stack (runpy _run_code twice)', vmprofrunLike()]
];

/** callgrind_annotate's inclusive rows `COST (PCT)  * fl:fn [ob]` → cost. */
function annotateInclusive(text: string, name: string): Map<string, number> {
  const path = join(dir, name.replace(/\W/g, '_') + '.callgrind');
  writeFileSync(path, text);
  const r = spawnSync(ANNOTATE, ['--inclusive=yes', '--tree=both', '--threshold=100', '--auto=no', path], {
    encoding: 'utf-8',
    cwd: dir
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+\*\s+(.*)$/.exec(line);
    if (m) {
      out.set(m[2], Number(m[1].replace(/,/g, '')));
    }
  }
  return out;
}

const rowText = (frame: IFrame, name: string) => `${placeOf(frame).fl}:${name} [${placeOf(frame).ob}]`;

describe.each(CASES)('%s', (name, profile) => {
  const samples = profile.sampleStack.length;
  const truth = functionCounts(profile);
  const inclusive = (f: IFrame) => truth.get(`${f.name}|${f.file}|${f.line}`)?.[1] ?? 0;

  (existsSync(ANNOTATE) ? test : test.skip)('callgrind_annotate --inclusive=yes: each function once per sample', () => {
    const rows = annotateInclusive(toCallgrind(profile, { creator: 'x' }), name);
    const names = uniqueNames(profile.frames);
    expect(rows.get('[root]:<root> [[root]]')).toBe(samples);
    profile.frames.forEach((f, i) => {
      expect(rows.get(rowText(f, names[i]))).toBe(inclusive(f));
    });
    rows.forEach(cost => expect(cost).toBeLessThanOrEqual(samples));
  });

  test('callgrind call costs: into each function they add up to its inclusive samples', () => {
    const edges = firstCallEdges(profile);
    profile.frames.forEach((f, i) => {
      const into = edges.filter(e => e.callee === i).reduce((s, e) => s + e.samples, 0);
      expect(into).toBe(inclusive(f));
    });
    edges.forEach(e => expect(e.caller).not.toBe(e.callee));
  });

  test('Graph JSON, table and callers views: nothing above 100 %', () => {
    const g = toGraphJSON(profile, { creator: 'x' });
    g.frames.forEach(f => expect(f.total).toBe(inclusive(f)));
    g.edges.forEach(e => {
      expect(e.samples).toBeLessThanOrEqual(g.frames[e.callee].total);
      expect(e.samples).toBeLessThanOrEqual(e.caller >= 0 ? g.frames[e.caller].total : samples);
    });
    for (const row of buildTable(g, { maxRows: 100 }).rows) {
      expect(row.totalPercent ?? 0).toBeLessThanOrEqual(100);
    }
    const index = buildCallIndex(g);
    g.frames.forEach((_, i) => {
      const view = buildCallers(g, i, index)!;
      expect(view.totalPercent).toBeLessThanOrEqual(100);
      [...view.callers, ...view.callees].forEach(r => expect(r.percent).toBeLessThanOrEqual(100));
    });
  });

  test('diff: totals once per sample', () => {
    const d = diffProfiles(profile, profile);
    d.functions.forEach(f => {
      expect(f.totalFractionA).toBeLessThanOrEqual(1);
      expect(f.totalA).toBe(callGraph(profile).total[profile.frames.findIndex(x => x.name === f.name && x.file === f.file)]);
    });
  });
});
