import { buildLegend, NO_FRAME_KIND, selfSamplesByKind } from '../../src/views/legend';
import { FALLBACK_KIND_COLORS, FRAME_KINDS } from '../../src/views/kinds';
import { graphFromStacks, smallGraph } from './fixture';
import { GRAPH_FIXTURES, loadGraph } from './graphs';

/** Sum of one-decimal percentages, exactly, in tenths. */
const tenths = (values: number[]) => values.reduce((s, p) => s + Math.round(p * 10), 0);

describe('buildLegend', () => {
  it('lists the five kinds with the flame graph colours and their self samples', () => {
    const graph = loadGraph('vmprof_cpuburn');
    const legend = buildLegend(graph);
    expect(legend.map(e => e.kind)).toEqual([...FRAME_KINDS]);
    expect(legend.map(e => e.label)).toEqual(['Python', 'native', 'JIT', 'interpreter', 'unknown']);
    legend.forEach(e => expect(e.color).toBe(FALLBACK_KIND_COLORS[e.kind as keyof typeof FALLBACK_KIND_COLORS]));
    for (const entry of legend) {
      const self = graph.frames.filter(f => f.kind === entry.kind).reduce((s, f) => s + f.self, 0);
      expect(entry.samples).toBe(self);
    }
    expect(legend.reduce((s, e) => s + e.samples, 0)).toBe(graph.profile.samples);
  });

  it('uses the colours it is given', () => {
    const colors = { python: 'p', native: 'n', jit: 'j', interpreter: 'i', unknown: 'u', merged: 'm', root: 'r' };
    expect(buildLegend(smallGraph(), { colors }).map(e => e.color)).toEqual(['p', 'n', 'j', 'i', 'u', 'r']);
  });

  it('gives samples with no frame their own entry, so the whole is 100%', () => {
    // smallGraph: 100 samples, 3 of them with an empty stack.
    const legend = buildLegend(smallGraph());
    const none = legend.find(e => e.kind === NO_FRAME_KIND)!;
    expect(none).toMatchObject({ label: 'no frame', samples: 3, percent: 3, percentText: '3.0%' });
    expect(legend.map(e => [e.kind, e.samples])).toEqual([
      ['python', 17],
      ['native', 50],
      ['jit', 30],
      ['interpreter', 0],
      ['unknown', 0],
      ['none', 3]
    ]);
    expect(legend[1].text).toBe('native 50.0% (50 samples ≈ 200 ms)');
    expect(selfSamplesByKind(smallGraph()).noFrame).toBe(3);
  });

  it('rounds by largest remainder so thirds still make exactly 100.0', () => {
    const graph = graphFromStacks([
      { stack: [{ name: 'a' }], count: 1 },
      { stack: [{ name: 'b', kind: 'native' }], count: 1 },
      { stack: [{ name: 'c', kind: 'jit' }], count: 1 }
    ]);
    const legend = buildLegend(graph, { hideAbsent: true });
    expect(legend.map(e => e.percent)).toEqual([33.4, 33.3, 33.3]);
    expect(tenths(legend.map(e => e.percent))).toBe(1000);
    expect(legend.map(e => e.percent).reduce((a, b) => a + b, 0).toFixed(1)).toBe('100.0');
  });

  it('can leave out kinds absent from the profile', () => {
    const legend = buildLegend(loadGraph('lines_memory'), { hideAbsent: true });
    expect(legend.map(e => e.kind)).toEqual(['python', 'native']);
  });

  it('shows no time when the profile measured none', () => {
    const graph = smallGraph();
    graph.profile.secondsPerSample = null;
    buildLegend(graph).forEach(e => {
      expect(e.timeText).toBe('');
      expect(e.text).not.toContain('≈');
    });
  });

  it.each(GRAPH_FIXTURES)('adds up to exactly 100.0%% on %s', name => {
    const graph = loadGraph(name);
    for (const hideAbsent of [false, true]) {
      const legend = buildLegend(graph, { hideAbsent });
      expect(tenths(legend.map(e => e.percent))).toBe(1000);
      expect(legend.map(e => e.percent).reduce((a, b) => a + b, 0).toFixed(1)).toBe('100.0');
      expect(legend.reduce((s, e) => s + e.samples, 0)).toBe(graph.profile.samples);
    }
  });
});
