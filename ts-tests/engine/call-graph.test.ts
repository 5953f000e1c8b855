/** Call tree and call graph on small hand-built profiles (recursion, threads, empty stacks). */
import { callGraph, callTree } from '../../src/model/call-graph';
import { profileOf } from './model-helpers';

describe('call graph', () => {
  test('direct recursion counts once per sample and has no self-edge', () => {
    const p = profileOf([['main;fib;fib;fib'], ['main;fib'], ['main']]);
    const g = callGraph(p);
    const id = (n: string) => p.frames.findIndex(f => f.name === n);
    expect(g.total[id('fib')]).toBe(2);
    expect(g.self[id('fib')]).toBe(2);
    expect(g.total[id('main')]).toBe(3);
    expect(g.edges).toEqual([
      { caller: -1, callee: id('main'), samples: 3 },
      { caller: id('main'), callee: id('fib'), samples: 2 }
    ].sort((a, b) => a.caller - b.caller || a.callee - b.callee));
  });

  test('mutual recursion: every edge once per sample, nothing above 100%', () => {
    const p = profileOf([['a;b;a;b;a'], ['a;b']]);
    const g = callGraph(p);
    const [a, b] = ['a', 'b'].map(n => p.frames.findIndex(f => f.name === n));
    expect(g.total[a]).toBe(2);
    expect(g.total[b]).toBe(2);
    const edge = (x: number, y: number) => g.edges.find(e => e.caller === x && e.callee === y)!.samples;
    expect(edge(a, b)).toBe(2);
    expect(edge(b, a)).toBe(1);
  });

  test('thread filter and empty stacks', () => {
    const p = profileOf([['a', '1'], ['a;b', '2'], ['', '2']]);
    expect(callGraph(p, '2').samples).toBe(2);
    expect(callGraph(p, '2').empty).toBe(1);
    expect(callGraph(p, '3').samples).toBe(0);
  });
});

describe('call tree', () => {
  test('root holds every sample; total = self + children; children sorted by frame', () => {
    const p = profileOf([['m;b'], ['m;a'], ['m;a;a'], ['m'], ['']]);
    const t = callTree(p);
    expect(t.frame[0]).toBe(-1);
    expect(t.total[0]).toBe(5);
    expect(t.self[0]).toBe(1);
    for (let i = 0; i < t.frame.length; i++) {
      const children = t.frame.map((_, j) => j).filter(j => t.parent[j] === i);
      expect(t.total[i]).toBe(t.self[i] + children.reduce((s, j) => s + t.total[j], 0));
      expect(children.map(j => t.frame[j])).toEqual(children.map(j => t.frame[j]).sort((x, y) => x - y));
      children.forEach(j => expect(j).toBeGreaterThan(i));
    }
  });

  test('a 50,000-deep stack does not overflow', () => {
    const p = profileOf([[new Array(50000).fill('r').join(';')]]);
    expect(callTree(p).frame.length).toBe(50001);
    expect(callGraph(p).total[0]).toBe(1);
  });
});
