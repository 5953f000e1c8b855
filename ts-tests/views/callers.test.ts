import { buildCallers, buildCallIndex, recursionOf, ROOT_CALLER_NAME } from '../../src/views/callers';
import { EVIL_NAME, frameNamed, GRAPH_FIXTURES, graphWithEdges, loadGraph } from './graphs';

describe('buildCallers on real converter output (lines_memory: mixed workload, vmprof 0.6.0)', () => {
  const graph = loadGraph('lines_memory');

  it('lists the callers and callees of spin, by samples, as % of its inclusive', () => {
    const spin = frameNamed(graph, 'spin');
    const view = buildCallers(graph, spin)!;
    expect(view.total).toBe(756);
    expect(view.self).toBe(32);
    expect(view.callers.map(r => [r.name, r.samples])).toEqual([
      ['hot_70', 528],
      ['cold_30', 228]
    ]);
    expect(view.callers[0].percent).toBeCloseTo((528 / 756) * 100, 10);
    expect(view.callers[0].percentText).toBe('69.8%');
    expect(view.callees.map(r => [r.name, r.samples])).toEqual([
      ['fib', 523],
      ['builtin_sum', 199],
      ['time_process_time', 2]
    ]);
    expect(view.callees[1].kind).toBe('native');
    expect(view.callees[1].kindLabel).toBe('native');
    expect(view.recursion).toBe('none');
    expect(view.notes).toEqual([]);
  });

  it('says fib calls itself, and lists no self edge', () => {
    const fib = frameNamed(graph, 'fib');
    const view = buildCallers(graph, fib)!;
    expect(view.recursion).toBe('direct');
    expect(view.notes.join(' ')).toMatch(/calls itself.*not listed/);
    expect([...view.callers, ...view.callees].some(r => r.frame === fib)).toBe(false);
    expect(view.callers.map(r => [r.name, r.samples, r.percentText])).toEqual([['spin', 523, '100.0%']]);
    // Inclusive never exceeds 100% however deep the recursion (13 levels here).
    expect(view.totalPercent).toBeLessThanOrEqual(100);
    expect(view.totalText).toBe('69.2%');
    expect(view.selfText).toBe('69.0%');
  });

  it('names the synthetic root <root>', () => {
    const module = frameNamed(graph, '<module>');
    const view = buildCallers(graph, module)!;
    expect(view.callers).toHaveLength(1);
    expect(view.callers[0]).toMatchObject({
      frame: -1,
      name: ROOT_CALLER_NAME,
      kind: null,
      samples: 756,
      percent: 100
    });
    expect(ROOT_CALLER_NAME).toBe('<root>');
  });

  it('gives estimated time from the measured seconds per sample only', () => {
    const spin = frameNamed(graph, 'spin');
    const view = buildCallers(graph, spin)!;
    expect(view.totalTimeText).toMatch(/^≈ 3\.0\d s$/);
    const untimed = { ...graph, profile: { ...graph.profile, secondsPerSample: null } };
    const noTime = buildCallers(untimed, spin)!;
    expect(noTime.totalTimeText).toBe('');
    expect(noTime.callers.every(r => r.timeText === '')).toBe(true);
  });

  it('returns null for a frame that does not exist', () => {
    expect(buildCallers(graph, -1)).toBeNull();
    expect(buildCallers(graph, graph.frames.length)).toBeNull();
    expect(buildCallers(graph, 1.5)).toBeNull();
  });
});

describe.each(GRAPH_FIXTURES)('buildCallers invariants on %s', name => {
  const graph = loadGraph(name);
  const index = buildCallIndex(graph);

  it('never shows a call with more samples than either end has inclusive', () => {
    graph.frames.forEach((frame, f) => {
      const view = buildCallers(graph, f, index)!;
      for (const rows of [view.callers, view.callees]) {
        for (let i = 1; i < rows.length; i++) {
          expect(rows[i - 1].samples).toBeGreaterThanOrEqual(rows[i].samples);
        }
        for (const row of rows) {
          expect(row.samples).toBeLessThanOrEqual(frame.total);
          expect(row.percent).toBeLessThanOrEqual(100);
          if (row.frame >= 0) {
            expect(row.samples).toBeLessThanOrEqual(graph.frames[row.frame].total);
          }
        }
      }
      if (frame.total > 0) {
        // Every sample holding the function has some caller (maybe the root).
        const sum = view.callers.reduce((s, r) => s + r.samples, 0);
        expect(sum).toBeGreaterThanOrEqual(frame.total);
      }
    });
  });
});

describe('buildCallers on hand-made graphs', () => {
  it('passes names through as text (no escaping: the widget uses textContent)', () => {
    const graph = graphWithEdges([
      { stack: ['main', EVIL_NAME, 'leaf&<b>'], count: 4 },
      { stack: ['main'], count: 1 }
    ]);
    const evil = frameNamed(graph, EVIL_NAME);
    const view = buildCallers(graph, evil)!;
    expect(view.name).toBe(EVIL_NAME);
    expect(view.callees[0].name).toBe('leaf&<b>');
    const main = buildCallers(graph, frameNamed(graph, 'main'))!;
    expect(main.callees[0].name).toBe(EVIL_NAME);
  });

  it('finds recursion through other functions and says when callers add up to more than 100%', () => {
    // a → f → b → f: f has two callers in the same samples.
    const graph = graphWithEdges([
      { stack: ['a', 'f', 'b', 'f'], count: 6 },
      { stack: ['a', 'f'], count: 4 }
    ]);
    const f = frameNamed(graph, 'f');
    expect(recursionOf(graph, f)).toBe('indirect');
    expect(recursionOf(graph, frameNamed(graph, 'a'))).toBe('none');
    const view = buildCallers(graph, f)!;
    expect(view.total).toBe(10);
    expect(view.callers.map(r => [r.name, r.samples, r.percentText])).toEqual([
      ['a', 10, '100.0%'],
      ['b', 6, '60.0%']
    ]);
    expect(view.notes.join(' ')).toMatch(/re-entered/);
    expect(view.notes.join(' ')).toMatch(/more than 100%/);
  });

  it('breaks ties by frame order so the view is stable', () => {
    const graph = graphWithEdges([
      { stack: ['main', 'x'], count: 5 },
      { stack: ['main', 'y'], count: 5 }
    ]);
    const view = buildCallers(graph, frameNamed(graph, 'main'))!;
    expect(view.callees.map(r => r.name)).toEqual(['x', 'y']);
  });
});
