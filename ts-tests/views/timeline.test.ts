import type { ITimelineBarTrace, ITimelineLineTrace } from '../../src/views/timeline';
import { buildTimeline, rssKbToMB, timelineAxisTitle } from '../../src/views/timeline';
import { smallGraph } from './fixture';
import { EVIL_ESCAPED, EVIL_NAME, GRAPH_FIXTURES, loadGraph } from './graphs';

describe('buildTimeline', () => {
  it('returns null when the Graph JSON has no timeline', () => {
    expect(buildTimeline(smallGraph())).toBeNull();
  });

  it('stacks one bar trace per thread, on the CPU-time axis', () => {
    const graph = loadGraph('threads');
    const view = buildTimeline(graph)!;
    expect(view.axis).toBe('cpu');
    expect(view.axisTitle).toBe('CPU time (s)');
    expect(view.layout.xaxis.title.text).toBe('CPU time (s)');
    expect(view.layout.yaxis.title.text).toBe('samples per bin');
    expect(view.layout.barmode).toBe('stack');
    expect(view.layout.yaxis2).toBeUndefined();
    expect(view.hasRss).toBe(false);
    const bars = view.traces as ITimelineBarTrace[];
    expect(bars.map(t => t.type)).toEqual(['bar', 'bar']);
    expect(bars.map(t => t.name)).toEqual(['thread 1', 'thread 2']);
    const { binCount, binWidth } = graph.timeline!;
    for (const [t, bar] of bars.entries()) {
      expect(bar.x).toHaveLength(binCount);
      expect(bar.width).toBe(binWidth);
      expect(bar.x[0]).toBeCloseTo(binWidth / 2, 12);
      // The measured counts, unchanged.
      expect(bar.y).toEqual(graph.timeline!.threads[t].counts);
      expect(bar.y.reduce((a, b) => a + b, 0)).toBe(graph.profile.threads[t].samples);
    }
    expect(view.notes.join(' ')).toMatch(/CPU time/);
    expect(bars[0].hovertext[0]).toMatch(/^<b>thread 1<\/b><br>CPU time 0 s – [\d.]+ ms<br>\d+ samples/);
  });

  it('labels a wall-clock axis and a sample-order axis as such', () => {
    expect(buildTimeline(loadGraph('threads_realtime'))!.axisTitle).toBe('wall-clock time (s)');
    const noTimestamps = buildTimeline(loadGraph('mixed-0.4.18'))!;
    expect(noTimestamps.axisTitle).toBe('sample order');
    expect(noTimestamps.notes.join(' ')).toMatch(/no timestamps.*order of the samples, not time/);
    expect(timelineAxisTitle('cpu')).toBe('CPU time (s)');
    expect(timelineAxisTitle('wall')).toBe('wall-clock time (s)');
    expect(timelineAxisTitle('sample-index')).toBe('sample order');
  });

  it('gives each sample-order bin the exact samples it holds', () => {
    const graph = loadGraph('mixed-0.4.18');
    const bar = buildTimeline(graph)!.traces[0] as ITimelineBarTrace;
    // 758 samples in 200 bins: bin i holds samples k with floor(k × 200 / 758) = i.
    const n = graph.profile.samples;
    bar.hovertext.forEach((text, i) => {
      const ks = [...Array(n).keys()].filter(k => Math.floor((k * 200) / n) === i);
      const range = ks.length > 1 ? `samples ${ks[0]}–${ks[ks.length - 1]}` : `sample ${ks[0]}`;
      expect(text).toContain(`<br>${range}<br>`);
      expect(bar.y[i]).toBe(ks.length);
    });
  });

  it('draws RSS in MB on a second y axis, with gaps for empty bins', () => {
    const graph = loadGraph('lines_memory');
    const view = buildTimeline(graph)!;
    expect(view.hasRss).toBe(true);
    expect(view.layout.yaxis2).toMatchObject({ title: { text: 'RSS (MB)' }, overlaying: 'y', side: 'right' });
    const rss = view.traces[view.traces.length - 1] as ITimelineLineTrace;
    expect(rss.type).toBe('scatter');
    expect(rss.yaxis).toBe('y2');
    expect(rss.stackgroup).toBeUndefined();
    const kb = graph.timeline!.rssKb!;
    rss.y.forEach((mb, i) => {
      if (kb[i] === null) {
        expect(mb).toBeNull();
      } else {
        expect(mb).toBeCloseTo((kb[i]! * 1024) / 1e6, 3);
      }
    });
    expect(rssKbToMB(1000)).toBeCloseTo(1.024, 12);
    expect(view.notes.join(' ')).toMatch(/largest resident set size/);

    const withGap = structuredClone(graph);
    withGap.timeline!.rssKb![3] = null;
    withGap.timeline!.threads[0].counts[3] = 0;
    const gap = buildTimeline(withGap)!.traces[1] as ITimelineLineTrace;
    expect(gap.y[3]).toBeNull();
    expect(gap.connectgaps).toBe(false);
    expect(gap.hovertext[3]).toMatch(/no samples, no RSS/);
  });

  it('can draw stacked areas instead of bars, with the given colours', () => {
    const view = buildTimeline(loadGraph('threads'), { style: 'lines', threadColors: ['#111', '#222'], rssColor: '#333' })!;
    const areas = view.traces as ITimelineLineTrace[];
    expect(areas.map(t => [t.type, t.stackgroup, t.line.color])).toEqual([
      ['scatter', 'threads', '#111'],
      ['scatter', 'threads', '#222']
    ]);
  });

  it('says the timeline covers every thread when one thread is selected', () => {
    const graph = loadGraph('threads.thread-2');
    expect(graph.profile.thread).not.toBeNull();
    const view = buildTimeline(graph)!;
    expect(view.traces).toHaveLength(2);
    expect(view.notes.join(' ')).toMatch(/every thread/);
  });

  it('reports samples left out for a bad timestamp', () => {
    const graph = loadGraph('threads');
    graph.timeline!.untimed = 3;
    expect(buildTimeline(graph)!.notes.join(' ')).toMatch(/3 samples have no valid timestamp/);
  });

  it('escapes thread labels for plotly', () => {
    const graph = loadGraph('threads');
    graph.profile.threads[0].label = EVIL_NAME;
    const bar = buildTimeline(graph)!.traces[0];
    expect(bar.name).toBe(EVIL_ESCAPED);
    expect(bar.hovertext[0]).toContain(`<b>${EVIL_ESCAPED}</b>`);
    for (const text of [bar.name, ...bar.hovertext]) {
      expect(text).not.toContain('<img');
    }
  });

  it('shows estimated time only when the profile measured it', () => {
    const graph = loadGraph('threads');
    const i = graph.timeline!.threads[0].counts.findIndex(c => c > 0);
    expect(buildTimeline(graph)!.traces[0].hovertext[i]).toContain('≈');
    graph.profile.secondsPerSample = null;
    buildTimeline(graph)!.traces.forEach(t => t.hovertext.forEach(h => expect(h).not.toContain('≈')));
  });

  it.each(GRAPH_FIXTURES)('counts every timed sample once on %s', name => {
    const graph = loadGraph(name);
    const view = buildTimeline(graph)!;
    const counted = view.traces
      .filter(t => t.yaxis === 'y')
      .reduce((sum, t) => sum + (t.y as number[]).reduce((a, b) => a + b, 0), 0);
    expect(counted).toBe(graph.profile.totalSamples - graph.timeline!.untimed);
  });
});
