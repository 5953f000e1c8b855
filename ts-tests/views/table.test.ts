import { buildTable, NO_FRAME_ROW_NAME } from '../../src/views/table';
import { bigGraph, graphFromStacks, smallGraph } from './fixture';

function sumSelfPercents(rows: { selfPercent: number }[]): number {
  // Sum in tenths of a percent to avoid floating point noise.
  return rows.reduce((s, r) => s + Math.round(r.selfPercent * 10), 0) / 10;
}

describe('buildTable', () => {
  it('sorts by self samples and gives self %, inclusive %, location and kind', () => {
    const view = buildTable(smallGraph(), { maxRows: 100 });
    expect(view.viewTotal).toBe(100);
    const names = view.rows.map(r => r.name);
    expect(names).toEqual(['cblas_ddot', 'fast_loop', 'work', 'main', NO_FRAME_ROW_NAME]);
    const dot = view.rows[0];
    expect(dot.selfText).toBe('50.0%');
    expect(dot.totalText).toBe('50.0%');
    expect(dot.location).toBe('/usr/lib/libopenblas.so');
    expect(dot.kind).toBe('native');
    const main = view.rows[3];
    expect(main.selfText).toBe('7.0%');
    expect(main.totalText).toBe('97.0%');
    expect(main.location).toBe('/home/user/demo.py:3');
    expect(main.selfTimeText).toBe('≈ 28.0 ms');
    expect(view.rows[4].self).toBe(3);
  });

  it('makes self percentages add up to exactly 100%', () => {
    // Three equal thirds round to 33.3 each; one must take the extra 0.1.
    const graph = graphFromStacks([
      { stack: ['a'], count: 1 },
      { stack: ['b'], count: 1 },
      { stack: ['c'], count: 1 }
    ]);
    const view = buildTable(graph, { maxRows: 10 });
    expect(sumSelfPercents(view.rows)).toBe(100);
    expect(view.rows.map(r => r.selfText).sort()).toEqual(['33.3%', '33.3%', '33.4%']);
  });

  it('folds the rest into an "other functions" row and still adds up', () => {
    const graph = bigGraph(5000, 3);
    const view = buildTable(graph, { maxRows: 20 });
    expect(view.rows.length).toBe(21);
    const other = view.rows[20];
    expect(other.name).toMatch(/^[\d,]+ other functions$/);
    expect(other.total).toBeNull();
    expect(other.totalText).toBe('');
    expect(view.otherFunctions).toBeGreaterThan(0);
    expect(view.rows.reduce((s, r) => s + r.self, 0)).toBe(graph.profile.samples);
    expect(sumSelfPercents(view.rows)).toBe(100);
    for (const row of view.rows) {
      if (row.totalPercent !== null) {
        expect(row.totalPercent).toBeLessThanOrEqual(100);
      }
    }
    // Sorted by self, heaviest first.
    for (let i = 1; i < 20; i++) {
      expect(view.rows[i].self).toBeLessThanOrEqual(view.rows[i - 1].self);
    }
  });

  it('never counts recursion twice in the inclusive percentage', () => {
    const graph = graphFromStacks([{ stack: ['fib', 'fib', 'fib', 'fib'], count: 10 }]);
    const row = buildTable(graph, { maxRows: 10 }).rows[0];
    expect(row.totalText).toBe('100.0%');
  });

  it('keeps names as plain text, markup and all', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const graph = graphFromStacks([{ stack: ['main', evil], count: 4 }]);
    const row = buildTable(graph, { maxRows: 10 }).rows.find(r => r.self === 4)!;
    // The widget puts this in textContent, so it must be the raw characters.
    expect(row.name).toBe(evil);
  });

  it('shows no time without a measured time basis', () => {
    const graph = smallGraph();
    graph.profile.secondsPerSample = null;
    buildTable(graph, { maxRows: 10 }).rows.forEach(r => expect(r.selfTimeText).toBe(''));
  });

  it('handles an empty profile', () => {
    const view = buildTable(graphFromStacks([]), { maxRows: 10 });
    expect(view.rows).toEqual([]);
    expect(view.viewTotal).toBe(0);
  });
});
