import { buildLines, LINES_NOT_RECORDED_MESSAGE, linesRecorded, NO_LINES_FOR_FRAME_MESSAGE, SOURCE_NOT_READABLE_MESSAGE } from '../../src/views/lines';
import { graphFromStacks } from './fixture';
import { EVIL_ESCAPED, EVIL_NAME, frameNamed, GRAPH_FIXTURES, loadGraph } from './graphs';

describe('buildLines', () => {
  it('returns null when lines were not recorded, with the message for the widget', () => {
    const graph = loadGraph('threads');
    expect(linesRecorded(graph)).toBe(false);
    expect(buildLines(graph, 0)).toBeNull();
    expect(LINES_NOT_RECORDED_MESSAGE).toBe('lines were not recorded: use %%vmprof --lines');
  });

  it('gives the lines of spin with self, inclusive and % of its inclusive (lines_memory, vmprof 0.6.0)', () => {
    const graph = loadGraph('lines_memory');
    const view = buildLines(graph, frameNamed(graph, 'spin'))!;
    expect(view.functionTotal).toBe(756);
    expect(view.functionSelf).toBe(32);
    expect(view.rows.map(r => [r.line, r.self, r.total])).toEqual([
      [9, 4, 6],
      [10, 28, 750]
    ]);
    expect(view.rows[1].totalPercent).toBeCloseTo((750 / 756) * 100, 10);
    expect(view.rows[1].totalText).toBe('99.2%');
    expect(view.rows[1].selfText).toBe('3.7%');
    expect(view.rows[1].totalTimeText).toMatch(/^≈ /);
    expect(view.message).toBe('');
    const [total, self] = view.traces;
    expect(total).toMatchObject({ type: 'bar', orientation: 'h', name: 'inclusive', x: [6, 750], y: ['line 9', 'line 10'] });
    expect(self).toMatchObject({ name: 'self', x: [4, 28], y: ['line 9', 'line 10'] });
    expect(view.layout.barmode).toBe('overlay');
    expect(view.layout.yaxis.autorange).toBe('reversed');
    expect(total.hovertext[1]).toBe(
      '<b>spin</b>, line 10<br>inclusive: 750 samples (99.2% of the function) ≈ 2.99 s<br>self: 28 samples (3.7% of the function) ≈ 112 ms'
    );
  });

  it('has no rows, and says why, for a native function of a lines profile', () => {
    const graph = loadGraph('lines_memory');
    const view = buildLines(graph, frameNamed(graph, 'builtin_sum'))!;
    expect(view.rows).toEqual([]);
    expect(view.traces).toEqual([]);
    expect(view.message).toBe(NO_LINES_FOR_FRAME_MESSAGE);
  });

  it('returns null for a frame that does not exist', () => {
    const graph = loadGraph('lines_memory');
    expect(buildLines(graph, -1)).toBeNull();
    expect(buildLines(graph, graph.frames.length)).toBeNull();
  });

  it('reads line-level frames (--lines): one line per frame', () => {
    const graph = loadGraph('lines_memory.line-frames');
    const spin10 = graph.frames.findIndex(f => f.name === 'spin' && f.line === 10);
    const view = buildLines(graph, spin10)!;
    expect(view.rows.map(r => [r.line, r.self, r.total])).toEqual([[10, 28, 750]]);
    expect(view.rows[0].totalText).toBe('100.0%');
  });

  it('sorts rows by line and passes names through as text, escaped only for plotly', () => {
    const graph = graphFromStacks([{ stack: ['main', EVIL_NAME], count: 10 }], {
      mode: { native: false, lines: true, memory: false, realTime: false }
    });
    const evil = frameNamed(graph, EVIL_NAME);
    graph.lines = { [String(evil)]: { line: [30, 12], self: [3, 7], total: [3, 7] } };
    const view = buildLines(graph, evil)!;
    expect(view.name).toBe(EVIL_NAME);
    expect(view.rows.map(r => r.line)).toEqual([12, 30]);
    expect(view.rows.map(r => r.self)).toEqual([7, 3]);
    expect(view.traces[0].hovertext[0]).toContain(`<b>${EVIL_ESCAPED}</b>`);
    for (const text of view.traces.flatMap(t => [t.name, ...t.y, ...t.hovertext])) {
      expect(text).not.toContain('<img');
    }
  });

  it.each(GRAPH_FIXTURES)('adds the lines\' self up to the function\'s self on %s', name => {
    const graph = loadGraph(name);
    for (const key of Object.keys(graph.lines ?? {})) {
      const frame = Number(key);
      const view = buildLines(graph, frame)!;
      expect(view.rows.reduce((s, r) => s + r.self, 0)).toBe(graph.frames[frame].self);
      for (const row of view.rows) {
        expect(row.self).toBeLessThanOrEqual(row.total);
        expect(row.totalPercent).toBeLessThanOrEqual(100);
      }
    }
  });
});

describe('buildLines source text', () => {
  it('puts each line\'s source text beside its costs when the converter read the file', () => {
    const graph = loadGraph('lines_memory');
    const spin = frameNamed(graph, 'spin');
    graph.sources = { [String(spin)]: { first: 8, text: ['def spin(n):', '    x = 0', '    for i in range(n): x += i', ''] } };
    const view = buildLines(graph, spin)!;
    expect(view.sourceReadable).toBe(true);
    expect(view.rows.map(r => [r.line, r.source])).toEqual([
      [9, '    x = 0'],
      [10, '    for i in range(n): x += i']
    ]);
  });

  it('says the file was not readable when there is no source text', () => {
    const graph = loadGraph('lines_memory');
    const view = buildLines(graph, frameNamed(graph, 'spin'))!;
    expect(view.sourceReadable).toBe(false);
    expect(view.rows.every(r => r.source === '')).toBe(true);
    expect(SOURCE_NOT_READABLE_MESSAGE).toMatch(/could not be read/);
  });
});
