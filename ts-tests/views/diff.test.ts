/**
 * The comparison builders on Diff JSON made right now by the bundled
 * converter (`--diff`) from the real profiles of test-data/profiles/generated.
 * Skips when the bundle is not built (`jlpm build:converter`).
 */
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

import { IDiffJSON, isDiffJSON } from '../../src/model/diff-json';
import { buildDiffRows, buildDiffTrace, formatDelta } from '../../src/views/diff';
import { CONVERTER } from './graphs';

const PROFILES = join(__dirname, '..', '..', 'test-data', 'profiles', 'generated');

function diffOf(a: string, b: string): IDiffJSON {
  const out = execFileSync(
    process.execPath,
    [CONVERTER, join(PROFILES, a), '--diff', join(PROFILES, b)],
    { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  return JSON.parse(out.toString()) as IDiffJSON;
}

const describeIfBuilt = existsSync(CONVERTER) ? describe : describe.skip;

describeIfBuilt('mixed.prof vs numpy_work.prof', () => {
  const diff = existsSync(CONVERTER) ? diffOf('mixed.prof', 'numpy_work.prof') : null!;

  it('is Diff JSON', () => {
    expect(isDiffJSON(diff)).toBe(true);
    expect(isDiffJSON({ ...diff, version: 2 })).toBe(false);
    expect(isDiffJSON({ format: 'jupyterlab-vmprof-graph' })).toBe(false);
  });

  it('rows: every function, by |Δ self|, with percentages of each profile', () => {
    const view = buildDiffRows(diff);
    expect(view.total).toBe(diff.functions.length);
    expect(view.rows.length).toBe(diff.functions.length);
    expect(view.samplesA).toBe(758);
    expect(view.samplesB).toBe(208);
    const deltas = view.rows.map(r => Math.abs(r.selfDelta));
    expect(deltas).toEqual([...deltas].sort((x, y) => y - x));

    // step runs only in numpy_work.prof: absent from A, a large rise.
    const step = view.rows.find(r => r.name === 'step')!;
    expect(step.inA).toBe(false);
    expect(step.selfAText).toBe('–');
    expect(step.totalDirection).toBe('up');
    expect(step.totalDelta).toBeGreaterThan(90);
    expect(step.shortLocation).toMatch(/^workloads\.py:\d+$/);
    expect(step.location).toMatch(/workload\/workloads\.py:\d+$/);

    // hot_70 runs only in mixed.prof, about 70% of it.
    const hot = view.rows.find(r => r.name === 'hot_70')!;
    expect(hot.inB).toBe(false);
    expect(hot.totalA).toBeGreaterThan(60);
    expect(hot.totalDirection).toBe('down');
    expect(hot.totalDeltaText).toBe(formatDelta(-hot.totalA));
    expect(hot.totalDeltaText.startsWith('−')).toBe(true);

    for (const r of view.rows) {
      expect(r.selfDelta).toBeCloseTo(r.selfB - r.selfA, 9);
      expect(r.selfDirection).toBe(r.selfDelta > 0 ? 'up' : r.selfDelta < 0 ? 'down' : 'same');
    }
  });

  it('filters by words of name, file or kind, and caps the rows', () => {
    const python = buildDiffRows(diff, { filter: 'WORKLOADS.py' });
    expect(python.matching).toBeGreaterThan(2);
    expect(python.rows.every(r => r.file.toLowerCase().includes('workloads.py'))).toBe(true);
    expect(buildDiffRows(diff, { filter: 'hot_70 workloads' }).rows.map(r => r.name)).toEqual([
      'hot_70'
    ]);
    expect(buildDiffRows(diff, { filter: 'no such function' }).rows).toEqual([]);
    const capped = buildDiffRows(diff, { maxRows: 5 });
    expect(capped.rows.length).toBe(5);
    expect(capped.matching).toBe(diff.functions.length);
  });

  it('trace: the 20 largest self deltas, coloured by direction, labels escaped', () => {
    const colors = { up: 'rgb(1, 2, 3)', down: 'rgb(4, 5, 6)' };
    const trace = buildDiffTrace(diff, { colors });
    const rows = buildDiffRows(diff).rows.filter(r => r.selfDelta !== 0);
    const bars = Math.min(20, rows.length);
    // Without symbol files, all unnamed native code is one function: fewer than before, still many.
    expect(bars).toBeGreaterThanOrEqual(10);
    expect(trace.y).toEqual(Array.from({ length: bars }, (_, i) => i));
    expect(trace.x).toEqual(rows.slice(0, bars).map(r => r.selfDelta));
    trace.x.forEach((x, i) => expect(trace.marker.color[i]).toBe(x > 0 ? colors.up : colors.down));
    // Native names like "<unnamed native code>" must reach plotly as text, not tags.
    const native = trace.ticktext.findIndex(t => t.includes('unnamed native code'));
    expect(native).toBeGreaterThanOrEqual(0);
    expect(trace.ticktext[native].startsWith('&lt;unnamed native code')).toBe(true);
    expect(trace.hovertext[0]).toContain('pp)');
  });
});

describeIfBuilt('a profile against itself', () => {
  const diff = existsSync(CONVERTER) ? diffOf('mixed.prof', 'mixed.prof') : null!;

  it('has no deltas, no bars, and both sides present', () => {
    const view = buildDiffRows(diff);
    expect(view.rows.length).toBeGreaterThan(5);
    for (const r of view.rows) {
      expect(r.selfDeltaText).toBe('0.0');
      expect(r.totalDeltaText).toBe('0.0');
      expect(r.selfDirection).toBe('same');
      expect(r.selfAText).toBe(r.selfBText);
      expect(r.inA && r.inB).toBe(true);
    }
    expect(buildDiffTrace(diff).x).toEqual([]);
  });
});

describe('formatDelta', () => {
  it('signs, one decimal, and never shows a change as 0.0', () => {
    expect(formatDelta(0)).toBe('0.0');
    expect(formatDelta(12.345)).toBe('+12.3');
    expect(formatDelta(-3.26)).toBe('−3.3');
    expect(formatDelta(0.01)).toBe('+<0.1');
    expect(formatDelta(-0.01)).toBe('−<0.1');
  });
});
