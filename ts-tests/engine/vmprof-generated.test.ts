/** Version 6 files written by vmprof 0.4.18.1 (test-data/profiles/generated). */
import { callGraph } from '../../src/model/call-graph';
import { load } from './helpers';

describe('vmprof 0.4.18.1 files', () => {
  test('mixed: 758 samples, hot_70 ≈ 70%', () => {
    const p = load('generated/mixed.prof');
    expect(p.sampleStack.length).toBe(758);
    expect(p.info.fileVersion).toBe(6);
    expect(p.info.timeBasis).toBe('duration');
    const g = callGraph(p);
    const hot = p.frames.findIndex(f => f.name === 'hot_70');
    expect(g.total[hot] / 758).toBeGreaterThan(0.6);
    expect(g.total[hot] / 758).toBeLessThan(0.8);
  });

  test('numpy_work: 208 samples with native frames', () => {
    const p = load('generated/numpy_work.prof');
    expect(p.sampleStack.length).toBe(208);
    expect(p.frames.some(f => f.kind === 'native')).toBe(true);
  });

  test('threads: two threads', () => {
    const p = load('generated/threads.prof');
    expect(p.threads.length).toBe(2);
  });
});
