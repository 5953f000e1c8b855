import { heaviestFrame } from '../../src/views/selection';
import { buildFlame } from '../../src/views/flame';
import { flameNote, sampledSeconds, shortCellText, summaryText, summaryTooltip } from '../../src/views/summary';
import { graphFromStacks } from './fixture';

describe('toolbar summary', () => {
  const stacks = [
    { stack: ['main', 'work'], count: 60 },
    { stack: ['main', 'io'], count: 24 }
  ];

  it('shows samples, sampled CPU time and wall time, all measured', () => {
    const graph = graphFromStacks(stacks, {
      durationSeconds: 0.663,
      secondsPerSample: 0.3 / 84,
      timeBasis: 'timestamps'
    });
    expect(sampledSeconds(graph)).toBeCloseTo(0.3, 9);
    expect(summaryText(graph)).toBe('84 samples · 300 ms sampled CPU time · 663 ms wall');
    expect(summaryTooltip(graph)).toMatch(/timestamps/);
    expect(summaryTooltip(graph)).toMatch(/never computed as samples × the requested period/i);
  });

  it('says wall in real-time mode, and what was not measured', () => {
    const real = graphFromStacks(stacks, {
      durationSeconds: 1,
      secondsPerSample: 1 / 84,
      timeBasis: 'duration',
      mode: { native: false, lines: false, memory: false, realTime: true }
    });
    expect(summaryText(real)).toBe('84 samples · 1.00 s sampled wall time · 1.00 s wall');
    const none = graphFromStacks(stacks, { durationSeconds: null, secondsPerSample: null, timeBasis: 'none' });
    expect(summaryText(none)).toBe('84 samples · wall time not measured');
    expect(sampledSeconds(none)).toBeNull();
  });

  it('real-time mode: the sampled wall time of all threads is the busiest thread\'s, not their sum', () => {
    const real = graphFromStacks([{ stack: ['cell'], count: 800 }, { stack: ['select'], count: 4000 }], {
      durationSeconds: 0.83,
      secondsPerSample: 0.001,
      timeBasis: 'timestamps',
      mode: { native: false, lines: false, memory: false, realTime: true },
      threads: [{ id: '1', samples: 800 }, ...[2, 3, 4, 5, 6].map(i => ({ id: String(i), samples: 800 }))]
    });
    expect(sampledSeconds(real)).toBeCloseTo(0.8, 9);
    expect(summaryText(real)).toBe('4,800 samples · 800 ms sampled wall time · 830 ms wall');
    const one = { ...real, profile: { ...real.profile, thread: '2', samples: 800 } };
    expect(sampledSeconds(one)).toBeCloseTo(0.8, 9);
  });

  it('names the thread shown by its label', () => {
    const graph = graphFromStacks(stacks, {
      durationSeconds: null,
      secondsPerSample: null,
      thread: '7',
      totalSamples: 100,
      threads: [{ id: '7', samples: 84, label: 'main' }, { id: '9', samples: 16, label: 'thread 2' }]
    });
    expect(summaryText(graph)).toBe('84 samples · wall time not measured (main; 100 in the file)');
  });
});

describe('selection', () => {
  it('starts at the function with the most self samples', () => {
    const graph = graphFromStacks([
      { stack: ['main', 'a'], count: 3 },
      { stack: ['main', 'b'], count: 5 }
    ]);
    expect(graph.frames[heaviestFrame(graph)].name).toBe('b');
    expect(heaviestFrame(graph, true)).toBe(-1); // no line data
    graph.lines = { '0': { line: [1], self: [0], total: [8] } };
    expect(graph.frames[heaviestFrame(graph, true)].name).toBe('main');
  });
});

describe('shortCellText', () => {
  it('says in one line that a cell was too short to sample, with its wall time and how to get samples', () => {
    const graph = graphFromStacks([], { durationSeconds: 0.0004, periodSeconds: 0.001 });
    const text = shortCellText(graph)!;
    expect(text).toMatch(/^No samples: it ran for 400 µs wall/);
    expect(text).toContain('--period 0.0001');
    expect(text).toContain('in a loop');
    expect(text).not.toContain('\n');
  });

  it('tells a waiting cell in CPU mode to use --real-time', () => {
    const graph = graphFromStacks([], { durationSeconds: 1.5, periodSeconds: 0.001 });
    expect(shortCellText(graph)).toContain('--real-time');
  });

  it('is null when there is something to draw', () => {
    expect(shortCellText(graphFromStacks([{ stack: ['a'], count: 1 }]))).toBeNull();
  });
});

describe('flameNote', () => {
  it("says the view's share of the profile and what it merged into smaller-frames boxes", () => {
    const stacks = [{ stack: ['main', 'big'], count: 900 }];
    for (let i = 0; i < 20; i++) {
      stacks.push({ stack: ['main', `tiny${i}`], count: 5 });
    }
    const graph = graphFromStacks(stacks);
    const view = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0.01 });
    expect(flameNote(graph, view, null)).toBe(
      'Click a box to zoom in, the top box to zoom out. This view: 1,000 samples (100.0% of the profile). ' +
        '20 call-tree nodes too small to draw are merged into 1 "smaller frames" boxes.'
    );
  });

  it('counts the levels below the drawn ones and the folded library frames, for a zoomed view', () => {
    const deep = Array.from({ length: 30 }, (_, i) => `f${i}`);
    const graph = graphFromStacks([
      { stack: deep, count: 30 },
      { stack: ['f0', 'side'], count: 10 }
    ]);
    const f1 = graph.tree.frame.findIndex(frame => graph.frames[frame]?.name === 'f1');
    const view = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0, maxDepth: 5, root: f1 });
    const note = flameNote(graph, view, 7);
    expect(note).toContain('This view: 30 samples (75.0% of the profile).');
    expect(note).toContain('My code first: 7 library frames folded into "frames hidden" boxes.');
    expect(note).toContain(`${view.deeperNodes} deeper call-tree nodes appear when you zoom in.`);
    expect(view.deeperNodes).toBe(24); // f6 … f29 below the five drawn levels f1 … f5, and nothing else
    expect(note).not.toContain('smaller frames');
  });
});
