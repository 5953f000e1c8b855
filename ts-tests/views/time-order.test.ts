import type { IGraphJSON } from '../../src/model/graph-json';
import { fitLabel } from '../../src/views/labels';
import { buildTimeOrder, timeOrderSpans } from '../../src/views/time-order';
import { graphFromStacks } from './fixture';

/** A graph whose time order is main>a, main>a, main>b, main>a (one sample each, 10 ms apart). */
function ordered(axis: 'cpu' | 'wall' = 'cpu'): IGraphJSON {
  const graph = graphFromStacks([
    { stack: ['main', 'a'], count: 3 },
    { stack: ['main', 'b'], count: 1 }
  ]);
  const node = (name: string) =>
    graph.tree.frame.findIndex((f, n) => n > 0 && graph.frames[f].name === name && graph.tree.parent[n] > 0);
  graph.profile.threads = [{ id: '7', samples: 4, label: 'main' }];
  graph.timeOrder = {
    axis,
    unit: 'seconds',
    thread: '7',
    node: [node('a'), node('b'), node('a')],
    start: [0, 0.02, 0.03],
    samples: [2, 1, 1],
    end: 0.04,
    coarsened: false,
    untimed: 0
  };
  return graph;
}

describe('time order view', () => {
  it('draws stacks left to right; the outer frame spans consecutive runs', () => {
    const spans = timeOrderSpans(ordered());
    const text = spans.map(s => `${s.depth}:${ordered().frames[s.frame].name}@${s.start}-${s.end}`);
    expect(text).toEqual(['0:main@0-0.04', '1:a@0-0.02', '1:b@0.02-0.03', '1:a@0.03-0.04']);
    expect(spans[0].samples).toBe(4);
  });

  it('says the axis is CPU time in CPU mode, and names the thread', () => {
    const view = buildTimeOrder(ordered())!;
    expect(view.notes.join(' ')).toMatch(/CPU time of the process, not wall-clock/);
    expect(view.notes[0]).toMatch(/^Stacks of main in the order/);
    expect((view.layout.xaxis as { title: { text: string } }).title.text).toBe('CPU time (s)');
    expect(buildTimeOrder(ordered('wall'))!.notes.join(' ')).not.toMatch(/CPU time/);
  });

  it('lights up the spans of the selected function and dims the rest', () => {
    const graph = ordered();
    const a = graph.frames.findIndex(f => f.name === 'a');
    const view = buildTimeOrder(graph, { selected: a })!;
    view.spans.forEach((span, i) => {
      expect(view.trace.marker.color[i].startsWith('rgba')).toBe(span.frame !== a);
    });
  });

  it('keeps names as text and cuts long ones with an ellipsis', () => {
    const graph = ordered();
    graph.frames[graph.frames.findIndex(f => f.name === 'b')].name = '<img src=x onerror=alert(1)>';
    const view = buildTimeOrder(graph, { plotWidth: 400 })!;
    expect(view.trace.text.some(t => t.includes('&lt;img'))).toBe(true);
    expect(view.trace.text.every(t => !t.includes('<img'))).toBe(true);
  });
});

describe('fitLabel', () => {
  it('cuts with an ellipsis, never drops a label while a few characters fit', () => {
    expect(fitLabel('numpy.core.multiarray.dot', Infinity)).toBe('numpy.core.multiarray.dot');
    expect(fitLabel('numpy.core.multiarray.dot', 76)).toBe('numpy.cor…');
    expect(fitLabel('abcdef', 30)).toBe('ab…');
    expect(fitLabel('abcdef', 20)).toBe('');
    expect(fitLabel('abc', 30)).toBe('abc');
  });
});
