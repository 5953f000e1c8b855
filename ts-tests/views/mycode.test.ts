import { canFold, foldLibraryFrames, hiddenLabel } from '../../src/views/mycode';
import { graphFromStacks } from './fixture';

const py = (name: string, file: string) => ({ name, file, line: 1 });
const IPY = py('run_cell', '/venv/lib/python3.11/site-packages/IPython/core/interactiveshell.py');
const RUNPY = py('_run_code', '/usr/lib/python3.11/runpy.py');
const CELL = py('<module>', '/tmp/ipykernel_7/3.py');
const WORK = py('work', '/tmp/ipykernel_7/3.py');
const NP = py('dot', '/venv/lib/python3.11/site-packages/numpy/core/multiarray.py');
const NP2 = py('_wrap', '/venv/lib/python3.11/site-packages/numpy/core/fromnumeric.py');
const BLAS = { name: 'cblas_ddot', file: '/usr/lib/libopenblas.so.0', line: 0, kind: 'native' as const };
const EVAL = { name: '_PyEval_EvalFrameDefault', file: '/usr/lib/libpython3.11.so', line: 0, kind: 'native' as const };

function names(graph: ReturnType<typeof foldLibraryFrames>['graph'], node: number): string[] {
  const path: string[] = [];
  for (let n = node; n > 0; n = graph.tree.parent[n]) {
    path.unshift(graph.frames[graph.tree.frame[n]].name);
  }
  return path;
}

describe('my code first', () => {
  const graph = graphFromStacks([
    { stack: [EVAL, RUNPY, IPY, CELL, WORK], count: 10 },
    { stack: [EVAL, RUNPY, IPY, CELL, WORK, NP, NP2, BLAS], count: 30 },
    { stack: [EVAL, RUNPY, IPY, CELL, WORK, NP], count: 5 },
    { stack: [EVAL, RUNPY, IPY], count: 2 }
  ]);
  const folded = foldLibraryFrames(graph);

  it('folds runs of library frames into one box named by count and libraries', () => {
    const leaves = folded.graph.tree.frame
      .map((_, n) => n)
      .filter(n => !folded.graph.tree.parent.includes(n))
      .map(n => names(folded.graph, n).join(' > '));
    expect(leaves.sort()).toEqual([
      '3 frames hidden (libpython3.11, stdlib, …) > <module> > work > 2 frames hidden (numpy) > cblas_ddot'
    ]);
    expect(folded.boxes).toBe(2);
    expect(folded.hiddenFrames).toBe(5);
  });

  it('keeps every sample: totals add up and self moves into the boxes', () => {
    const tree = folded.graph.tree;
    expect(tree.total[0]).toBe(47);
    for (let n = 0; n < tree.frame.length; n++) {
      const children = tree.parent.map((p, i) => (p === n ? i : -1)).filter(i => i > 0);
      expect(tree.total[n]).toBe(tree.self[n] + children.reduce((s, c) => s + tree.total[c], 0));
    }
    const top = tree.parent.indexOf(0);
    expect(tree.self[top]).toBe(2); // the IPython-only samples
    const numpyBox = folded.graph.frames.findIndex(f => f.name === '2 frames hidden (numpy)');
    expect(tree.self[tree.frame.indexOf(numpyBox)]).toBe(5);
  });

  it('keeps native frames under the user code, but not above it', () => {
    const kept = folded.graph.tree.frame.slice(1).map(f => folded.graph.frames[f].name);
    expect(kept).toContain('cblas_ddot');
    expect(kept).not.toContain('_PyEval_EvalFrameDefault');
  });

  it('says when folding helps, and labels boxes in one line', () => {
    expect(canFold(graph)).toBe(true);
    expect(canFold(graphFromStacks([{ stack: [IPY, RUNPY], count: 3 }]))).toBe(false);
    expect(canFold(graphFromStacks([{ stack: [CELL, WORK], count: 3 }]))).toBe(false);
    expect(hiddenLabel(1, [])).toBe('1 frame hidden');
    expect(hiddenLabel(4, ['numpy', 'stdlib', 'IPython'])).toBe('4 frames hidden (numpy, stdlib, …)');
  });
});
