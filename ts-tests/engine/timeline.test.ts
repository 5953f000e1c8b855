/** Samples over time (src/model/timeline.ts) on real profiles and hand-built edge cases. */

import { ProfileBuilder } from '../../src/model/profile';
import { timeline } from '../../src/model/timeline';
import { load } from './helpers';
import { INFO } from './model-helpers';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('timeline on real profiles', () => {
  test('lines_memory.prof: CPU-time axis, 200 bins, rss = max of each bin', () => {
    const p = load('vmprof-0.6.0/lines_memory.prof');
    const t = timeline(p)!;
    expect(t.axis).toBe('cpu');
    expect(t.unit).toBe('seconds');
    expect(t.binCount).toBe(200);
    expect(t.untimed).toBe(0);
    const times = p.sampleTime!;
    const span = Math.max(...times) - Math.min(...times);
    expect(t.binWidth * t.binCount).toBeCloseTo(span, 9);
    expect(t.threads.map(x => x.id)).toEqual(p.threads);
    expect(sum(t.threads[0].counts)).toBe(p.sampleStack.length);
    // rss: recompute each bin's maximum independently.
    const rss = p.sampleRss!;
    const expected = new Array<number | null>(200).fill(null);
    const first = Math.min(...times);
    times.forEach((time, i) => {
      const b = Math.min(199, Math.floor((time - first) / t.binWidth));
      expected[b] = Math.max(expected[b] ?? -Infinity, rss[i]);
    });
    expect(t.rssKb!.length).toBe(200);
    t.rssKb!.forEach((v, b) => {
      if (expected[b] === null) {
        expect(v).toBeNull();
      } else {
        expect(v).toBeCloseTo(expected[b]!, 6);
      }
    });
    expect(t.rssStatistic).toBe('max');
    // empty bins have no rss, filled bins have one
    t.threads[0].counts.forEach((c, b) => expect(t.rssKb![b] === null).toBe(c === 0));
  });

  test('threads_realtime.prof: wall-clock axis', () => {
    const t = timeline(load('vmprof-0.6.0/threads_realtime.prof'))!;
    expect(t.axis).toBe('wall');
    expect(t.rssKb).toBeNull();
  });

  test('threads.prof: per-thread counts add up to each thread’s samples', () => {
    const p = load('vmprof-0.6.0/threads.prof');
    const t = timeline(p)!;
    expect(t.threads.length).toBe(2);
    p.threads.forEach((id, i) => {
      const own = p.sampleThread.filter(x => x === i).length;
      expect(sum(t.threads[i].counts)).toBe(own);
      expect(t.threads[i].id).toBe(id);
    });
  });

  test('the fork’s monotonic timestamps: wall-clock axis', () => {
    expect(timeline(load('third-party/cpuburn.cpython.tsprof'))!.axis).toBe('wall');
  });

  test('vmprof_cpuburn.prof: no timestamps, so sample index; rss still binned', () => {
    const p = load('third-party/vmprof_cpuburn.prof');
    const t = timeline(p)!;
    expect(t.axis).toBe('sample-index');
    expect(t.unit).toBe('samples');
    expect(t.binCount).toBe(200);
    expect(t.binWidth).toBeCloseTo(5551 / 200, 12);
    const counts = t.threads[0].counts;
    expect(sum(counts)).toBe(5551);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(t.rssKb![0]).toBe(11972);
    expect(Math.max(...(t.rssKb as number[]))).toBe(Math.max(...p.sampleRss!));
  });
});

describe('timeline edge cases', () => {
  function build(times: number[] | null, threads: string[] = [], rss: number[] | null = null) {
    const b = new ProfileBuilder();
    const f = b.stackOf([b.frame('f', 'x.py', 1, 'python')]);
    const n = times?.length ?? threads.length;
    for (let i = 0; i < n; i++) {
      b.addSample(f, b.thread(threads[i] ?? '1'), rss ? rss[i] : undefined, times ? times[i] : undefined);
    }
    return b.build({ ...INFO, sampleClock: times ? 'cpu' : null });
  }

  test('no samples: no timeline', () => {
    expect(timeline(build([]))).toBeNull();
  });

  test('fewer samples than bins on sample index: one bin per sample', () => {
    const t = timeline(build(null, ['1', '2', '1']))!;
    expect(t.binCount).toBe(3);
    expect(t.binWidth).toBe(1);
    expect(t.threads).toEqual([{ id: '1', counts: [1, 0, 1] }, { id: '2', counts: [0, 1, 0] }]);
  });

  test('one instant: one bin', () => {
    const t = timeline(build([5, 5]))!;
    expect(t.binCount).toBe(1);
    expect(t.threads[0].counts).toEqual([2]);
  });

  test('last sample falls in the last bin; non-finite times are untimed', () => {
    const t = timeline(build([0, 1, NaN, 2], [], [10, 30, 99, 20]), 4)!;
    expect(t.binCount).toBe(4);
    expect(t.binWidth).toBe(0.5);
    expect(t.threads[0].counts).toEqual([1, 0, 1, 1]);
    expect(t.rssKb).toEqual([10, null, 30, 20]);
    expect(t.untimed).toBe(1);
  });

  test('only non-finite times: falls back to sample index', () => {
    expect(timeline(build([NaN, NaN]))!.axis).toBe('sample-index');
  });
});
