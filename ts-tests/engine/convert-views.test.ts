/**
 * The bundled converter's view additions: timeline, per-line costs, thread
 * labels and --thread for every thread, and --diff.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { PROFILES, ROOT, runPackageScript } from './helpers';

const BUNDLE = join(ROOT, 'jupyterlab_vmprof/converter/vmprof-convert.js');

beforeAll(() => {
  runPackageScript('build:converter');
});

function run(args: string[]) {
  return spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
}

function json(args: string[]) {
  const r = run(args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

const LINES_MEMORY = join(PROFILES, 'vmprof-0.6.0/lines_memory.prof');
const MIXED = join(PROFILES, 'vmprof-0.6.0/mixed.prof');

describe('vmprof-convert views', () => {
  test('Graph JSON has a timeline and, for a lines-mode file, per-line costs of function frames', () => {
    const g = json([LINES_MEMORY]);
    expect(g.version).toBe(1);
    expect(g.timeline.axis).toBe('cpu');
    expect(g.timeline.rssKb).toHaveLength(200);
    const fib = g.frames.findIndex((f: { name: string }) => f.name === 'fib');
    expect(g.frames[fib].line).toBe(12); // function level: the first line
    expect(g.lines[String(fib)].line).toEqual([12, 13]);
    expect(g.lines[String(fib)].total[1]).toBe(g.frames[fib].total);
  });

  test('lines with --lines are keyed by the line frames', () => {
    const g = json([LINES_MEMORY, '--lines']);
    for (const [index, costs] of Object.entries(g.lines) as Array<[string, { line: number[] }]>) {
      expect(costs.line).toEqual([g.frames[Number(index)].line]);
    }
  });

  test('no lines for files without lines mode', () => {
    expect(json([MIXED]).lines).toBeUndefined();
  });

  test.each(['vmprof-0.6.0/threads.prof', 'vmprof-0.6.0/threads_realtime.prof', 'generated/threads.prof'])(
    '%s: every thread is listed with a label and --thread selects it',
    file => {
      const all = json([join(PROFILES, file)]);
      const threads = all.profile.threads as Array<{ id: string; samples: number; label: string }>;
      expect(threads.reduce((s, t) => s + t.samples, 0)).toBe(all.profile.totalSamples);
      for (const t of threads) {
        expect(t.label).toMatch(/^(main|thread \d+)$/);
        const one = json([join(PROFILES, file), '--thread', t.id]);
        expect(one.profile.thread).toBe(t.id);
        expect(one.profile.samples).toBe(t.samples);
        expect(one.tree.total[0]).toBe(t.samples);
      }
    }
  );

  test('--diff: functions sorted by |selfDelta|, b = OTHER', () => {
    const other = join(PROFILES, 'vmprof-0.6.0/nonative.prof');
    const d = json([MIXED, '--diff', other]);
    expect(d.format).toBe('jupyterlab-vmprof-diff');
    expect(d.version).toBe(1);
    expect(d.a).toEqual({ profile: 'mixed.prof', samples: expect.any(Number) });
    expect(d.b.profile).toBe('nonative.prof');
    const deltas = d.functions.map((f: { selfDelta: number }) => Math.abs(f.selfDelta));
    expect(deltas).toEqual([...deltas].sort((x: number, y: number) => y - x));
    const hot = d.functions.find((f: { name: string }) => f.name === 'hot_70');
    expect(hot.totalFractionA).toBeGreaterThan(0.5);
    expect(hot.totalFractionB).toBeGreaterThan(0.5);
    expect(hot.totalDelta).toBeCloseTo(hot.totalFractionB - hot.totalFractionA, 12);
  });

  test('--diff usage errors', () => {
    const bad = run([MIXED, '--diff', MIXED, '--format', 'callgrind']);
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr).error.code).toBe('usage');
    const orphan = run([MIXED, '--diff-maps', 'x']);
    expect(orphan.status).toBe(2);
    expect(JSON.parse(orphan.stderr).error.code).toBe('usage');
    const missing = run([MIXED, '--diff', join(PROFILES, 'nope.prof')]);
    expect(JSON.parse(missing.stderr).error.code).toBe('io');
  });
});
