/**
 * Files written by vmprof 0.6.0 (CPython 3.11, Linux x86_64), made with
 * workloads.py (see test-data/profiles/vmprof-0.6.0/README.md). 0.6.0
 * writes version 7: count word 1, then after thread id (and rss) a signed
 * 64-bit nanosecond timestamp: process CPU time in CPU mode, CLOCK_MONOTONIC
 * in real-time mode.
 */
import { callGraph } from '../../src/model/call-graph';
import { prepareProfile } from '../../src/symbols/prepare';
import { functionCounts, load } from './helpers';

const DIR = 'vmprof-0.6.0';

describe('vmprof 0.6.0 files', () => {
  test('mixed: version 7, timestamps, ~70/30 split', () => {
    const p = load(`${DIR}/mixed.prof`);
    expect(p.info.fileVersion).toBe(7);
    expect(p.sampleTime).not.toBeNull();
    expect(p.info.timeBasis).toBe('timestamps');
    // CPU-time timer: one sample per ~4 ms although 1 ms was requested.
    expect(p.info.secondsPerSample!).toBeGreaterThan(0.002);
    const c = functionCounts(p);
    const total = p.sampleStack.length;
    const hot = [...c].find(([k]) => k.startsWith('hot_70|'))![1][1] / total;
    const cold = [...c].find(([k]) => k.startsWith('cold_30|'))![1][1] / total;
    expect(hot).toBeGreaterThan(0.6);
    expect(cold).toBeGreaterThan(0.2);
    expect(hot + cold).toBeLessThanOrEqual(1);
  });

  test('recursion never exceeds 100%', () => {
    const p = load(`${DIR}/mixed.prof`);
    const g = callGraph(p);
    for (let i = 0; i < p.frames.length; i++) {
      expect(g.total[i]).toBeLessThanOrEqual(g.samples);
    }
    const fib = p.frames.findIndex(f => f.name === 'fib');
    expect(g.edges.some(e => e.caller === fib && e.callee === fib)).toBe(false);
  });

  test('lines + memory: rss and line-level frames', () => {
    const p = load(`${DIR}/lines_memory.prof`, true);
    expect(p.info.mode.lines).toBe(true);
    expect(p.info.mode.memory).toBe(true);
    expect(p.sampleRss!.every(v => v > 1000)).toBe(true);
    expect(p.frames.filter(f => f.name === 'fib').length).toBeGreaterThan(1);
  });

  test('threads: two threads, thread filter', () => {
    const p = load(`${DIR}/threads.prof`);
    expect(p.threads.length).toBe(2);
    const a = callGraph(p, p.threads[0]).samples;
    const b = callGraph(p, p.threads[1]).samples;
    expect(a + b).toBe(p.sampleStack.length);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });

  test('real time: monotonic timestamps, per-thread gaps', () => {
    const p = load(`${DIR}/threads_realtime.prof`);
    expect(p.info.mode.realTime).toBe(true);
    expect(p.info.timeBasis).toBe('timestamps');
    expect(p.info.secondsPerSample!).toBeGreaterThan(0.0005);
    expect(p.info.secondsPerSample!).toBeLessThan(0.01);
  });

  test('numpy: native BLAS frames under step survive cleaning', () => {
    const p = prepareProfile(load(`${DIR}/numpy_work.prof`));
    const step = p.frames.findIndex(f => f.name === 'step');
    const g = callGraph(p);
    const callees = g.edges.filter(e => e.caller === step).map(e => p.frames[e.callee]);
    expect(callees.some(f => f.kind === 'native' || f.kind === 'interpreter')).toBe(true);
    expect(p.frames.some(f => /dgemm/.test(f.name))).toBe(true);
  });

  test('no native: python frames only', () => {
    const p = load(`${DIR}/nonative.prof`);
    expect(p.info.mode.native).toBe(false);
    expect(new Set(p.frames.map(f => f.kind))).toEqual(new Set(['python']));
  });
});
