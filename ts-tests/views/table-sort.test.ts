import { buildTable } from '../../src/views/table';
import { frameFilter, nextSort, presentKinds, sortRows } from '../../src/views/table-sort';
import { frameOrigin } from '../../src/views/origin';
import { graphFromStacks, smallGraph } from './fixture';

const CELL = { name: 'work', file: '/tmp/ipykernel_42/1234.py', line: 3 };
const NUMPY = { name: 'dot', file: '/venv/lib/python3.11/site-packages/numpy/core/multiarray.py', line: 10 };
const STDLIB = { name: 'run', file: '/usr/lib/python3.11/threading.py', line: 971 };
const BLAS = { name: 'cblas_ddot', file: '/usr/lib/libopenblas.so.0', line: 0, kind: 'native' as const };

function mixedGraph() {
  return graphFromStacks([
    { stack: [STDLIB, CELL], count: 5 },
    { stack: [STDLIB, CELL, NUMPY, BLAS], count: 7 },
    { stack: [STDLIB, CELL, NUMPY], count: 2 },
    { stack: [STDLIB], count: 1 }
  ]);
}

describe('frameOrigin', () => {
  it('tells the user code from libraries by path', () => {
    expect(frameOrigin({ file: CELL.file, kind: 'python' })).toEqual({ mine: true, library: '' });
    expect(frameOrigin({ file: NUMPY.file, kind: 'python' }).library).toBe('numpy');
    expect(frameOrigin({ file: STDLIB.file, kind: 'python' }).library).toBe('stdlib');
    expect(frameOrigin({ file: '<frozen runpy>', kind: 'python' }).library).toBe('stdlib');
    expect(frameOrigin({ file: 'C:\\Python311\\Lib\\site-packages\\IPython\\core\\x.py', kind: 'python' }).library).toBe(
      'IPython'
    );
    expect(frameOrigin({ file: '/src/jupyterlab-vmprof/jupyterlab_vmprof/kernel/cellrun.py', kind: 'python' }).library).toBe(
      'jupyterlab_vmprof'
    );
    expect(frameOrigin({ file: '/usr/lib/libopenblas.so.0', kind: 'native' })).toEqual({
      mine: false,
      library: 'libopenblas'
    });
    expect(frameOrigin({ file: '', kind: 'jit' }).mine).toBe(true);
    expect(frameOrigin({ file: '', kind: 'interpreter' }).library).toBe('interpreter');
  });
});

describe('table sorting', () => {
  it('sorts by every column, numbers heaviest first and text A to Z, a second click reverses', () => {
    const view = buildTable(smallGraph(), { maxRows: 100 });
    const names = (key: Parameters<typeof nextSort>[1], descending: boolean) =>
      sortRows(view.rows, { key, descending }).map(r => r.name);
    expect(nextSort({ key: 'self', descending: true }, 'name')).toEqual({ key: 'name', descending: false });
    expect(nextSort({ key: 'name', descending: false }, 'name')).toEqual({ key: 'name', descending: true });
    expect(nextSort({ key: 'name', descending: false }, 'total')).toEqual({ key: 'total', descending: true });

    const byName = names('name', false);
    const functions = byName.slice(0, -1);
    expect(functions).toEqual([...functions].sort((a, b) => a.localeCompare(b)));
    expect(names('name', true).slice(0, -1)).toEqual([...functions].reverse());
    // Inclusive: main (97%) first.
    expect(names('total', true)[0]).toBe('main');
    expect(names('self', false)[0]).not.toBe('cblas_ddot');
    const byKind = sortRows(view.rows, { key: 'kind', descending: false }).filter(r => r.frame >= 0);
    expect(byKind.map(r => r.kindLabel)).toEqual([...byKind.map(r => r.kindLabel)].sort((a, b) => a.localeCompare(b)));
    const byLocation = sortRows(view.rows, { key: 'location', descending: false }).filter(r => r.frame >= 0);
    expect(byLocation[0].file <= byLocation[byLocation.length - 1].file).toBe(true);
  });

  it('keeps the synthetic rows at the bottom whatever the order', () => {
    const view = buildTable(smallGraph(), { maxRows: 100 });
    for (const descending of [true, false]) {
      const rows = sortRows(view.rows, { key: 'name', descending });
      expect(rows[rows.length - 1].frame).toBe(-1);
    }
  });
});

describe('table filters', () => {
  it('filters by kind and by my code; the rest is one row and self % still adds up to 100', () => {
    const graph = mixedGraph();
    expect(presentKinds(graph)).toEqual(['python', 'native']);
    const native = buildTable(graph, { maxRows: 100, include: frameFilter(graph, { kind: 'native', myCode: false }) });
    expect(native.rows.filter(r => r.frame >= 0).map(r => r.name)).toEqual(['cblas_ddot']);
    expect(native.rows[1].name).toBe('3 functions hidden by the filter');

    const mine = buildTable(graph, { maxRows: 100, include: frameFilter(graph, { kind: null, myCode: true }) });
    expect(mine.rows.filter(r => r.frame >= 0).map(r => r.name)).toEqual(['work']);
    const tenths = mine.rows.reduce((s, r) => s + Math.round(r.selfPercent * 10), 0);
    expect(tenths).toBe(1000);
    expect(mine.rows.reduce((s, r) => s + r.self, 0)).toBe(15);
    expect(frameFilter(graph, { kind: null, myCode: false })).toBeUndefined();
  });
});
