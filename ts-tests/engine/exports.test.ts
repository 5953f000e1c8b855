/** Graph JSON, collapsed stacks and speedscope exports on every sample profile. */
import { toCollapsed } from '../../src/formats/collapsed';
import { toGraphJSON } from '../../src/formats/graph-json';
import { toSpeedscope } from '../../src/formats/speedscope';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../src/model/graph-json';
import { compareFrames } from '../../src/model/profile';
import { prepareProfile } from '../../src/symbols/prepare';
import { allProfiles, load } from './helpers';
import { profileOf } from './model-helpers';

describe('Graph JSON invariants', () => {
  for (const file of allProfiles()) {
    test(file, () => {
      const p = prepareProfile(load(file));
      const g = toGraphJSON(p, { creator: 'jupyterlab-vmprof test' });
      expect(g.format).toBe(GRAPH_FORMAT);
      expect(g.version).toBe(GRAPH_VERSION);
      expect(g.profile.samples).toBe(p.sampleStack.length);
      expect(g.profile.threads.reduce((s, t) => s + t.samples, 0)).toBe(g.profile.samples);
      for (let i = 1; i < g.frames.length; i++) {
        expect(compareFrames(g.frames[i - 1], g.frames[i])).toBeLessThan(0);
      }
      const selfSum = g.frames.reduce((s, f) => s + f.self, 0) + g.tree.self[0];
      expect(selfSum).toBe(g.profile.samples);
      g.frames.forEach(f => expect(f.total).toBeLessThanOrEqual(g.profile.samples));
      // Tree: total = self + Σ children, root first, children after parents.
      const childSum = new Array(g.tree.frame.length).fill(0);
      g.tree.parent.forEach((parent, i) => {
        if (i > 0) {
          expect(parent).toBeLessThan(i);
          childSum[parent] += g.tree.total[i];
        }
      });
      g.tree.total.forEach((t, i) => expect(t).toBe(g.tree.self[i] + childSum[i]));
      expect(g.tree.total[0]).toBe(g.profile.samples);
      for (let i = 1; i < g.edges.length; i++) {
        const [a, b] = [g.edges[i - 1], g.edges[i]];
        expect(a.caller < b.caller || (a.caller === b.caller && a.callee < b.callee)).toBe(true);
      }
      g.edges.forEach(e => expect(e.caller).not.toBe(e.callee));
      // Deterministic and plain JSON.
      expect(JSON.stringify(toGraphJSON(prepareProfile(load(file)), { creator: 'jupyterlab-vmprof test' }))).toBe(JSON.stringify(g));
    });
  }

  test('thread selection', () => {
    const p = load('vmprof-0.6.0/threads.prof');
    const g = toGraphJSON(p, { creator: 'x', thread: p.threads[1] });
    expect(g.profile.thread).toBe(p.threads[1]);
    expect(g.profile.samples).toBe(g.profile.threads[1].samples);
    expect(g.profile.totalSamples).toBe(p.sampleStack.length);
  });
});

describe('collapsed stacks', () => {
  test('one line per stack, counts add up, separators escaped', () => {
    const p = profileOf([['a;b'], ['a;b'], ['a'], ['']]);
    expect(toCollapsed(p)).toBe('[no frames] 1\na (x.py:97) 1\na (x.py:97);b (x.py:98) 2\n');
    const odd = profileOf([['we;ird']]);
    expect(toCollapsed(odd).split('\n')[0]).toBe('we (x.py:119);ird (x.py:105) 1');
  });

  test('sample profile total', () => {
    const p = load('vmprof-0.6.0/mixed.prof');
    const sum = toCollapsed(p).trim().split('\n').reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(sum).toBe(p.sampleStack.length);
  });
});

describe('speedscope', () => {
  test('sampled profiles per thread, weights in measured seconds', () => {
    const p = load('vmprof-0.6.0/threads.prof');
    const s = toSpeedscope(p, { name: 'threads.prof', exporter: 'x' });
    expect(s.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    expect(s.profiles.length).toBe(2);
    const samples = s.profiles.reduce((n, q) => n + q.weights.reduce((a, b) => a + b, 0), 0);
    expect(samples / p.info.secondsPerSample!).toBeCloseTo(p.sampleStack.length, 6);
    for (const q of s.profiles) {
      expect(q.unit).toBe('seconds');
      expect(q.samples.length).toBe(q.weights.length);
      q.samples.forEach(st => st.forEach(i => expect(i).toBeLessThan(s.shared.frames.length)));
    }
  });

  test('thread selection keeps one profile', () => {
    const p = load('vmprof-0.6.0/threads.prof');
    const s = toSpeedscope(p, { name: 't', exporter: 'x', thread: p.threads[1] });
    expect(s.profiles.map(q => q.name)).toEqual([`thread ${p.threads[1]}`]);
  });

  test('no measured time: unit none, weight = samples; consecutive stacks merged', () => {
    const p = profileOf([['a'], ['a'], ['b'], ['a']]);
    const s = toSpeedscope(p, { name: 'n', exporter: 'x' });
    expect(s.profiles[0].unit).toBe('none');
    expect(s.profiles[0].weights).toEqual([2, 1, 1]);
  });
});
