/** Thread list and labels (src/model/threads.ts), on every real profile and hand-built ones. */

import { threadSummaries } from '../../src/model/threads';
import { callGraph } from '../../src/model/call-graph';
import { prepareProfile } from '../../src/symbols/prepare';
import { allProfiles, load } from './helpers';
import { profileOf } from './model-helpers';

describe('every thread with samples is listed, and each one selects its samples', () => {
  test.each(allProfiles())('%s', file => {
    const p = prepareProfile(load(file));
    const summaries = threadSummaries(p);
    const withSamples = new Set(Array.from(p.sampleThread, t => p.threads[t]));
    expect(summaries.map(s => s.id).sort()).toEqual([...withSamples].sort());
    expect(summaries.reduce((a, s) => a + s.samples, 0)).toBe(p.sampleStack.length);
    for (const s of summaries) {
      expect(callGraph(p, s.id).samples).toBe(s.samples);
    }
    expect(new Set(summaries.map(s => s.label)).size).toBe(summaries.length);
    expect(summaries.filter(s => s.label === 'main').length).toBeLessThanOrEqual(1);
  });
});

describe('labels', () => {
  test('the thread running <module> is main, the others are numbered from 2', () => {
    const p = profileOf([['run;work', '7'], ['<module>;f', '9'], ['loop', '8'], ['<module>;g', '9']]);
    expect(threadSummaries(p)).toEqual([
      { id: '7', samples: 1, label: 'thread 2' },
      { id: '9', samples: 2, label: 'main' },
      { id: '8', samples: 1, label: 'thread 3' }
    ]);
  });

  test('no <module> anywhere: numbered from 1', () => {
    const p = profileOf([['a', '5'], ['b', '6']]);
    expect(threadSummaries(p).map(s => s.label)).toEqual(['thread 1', 'thread 2']);
  });

  test('real files: the script’s thread is main; worker threads are not', () => {
    expect(threadSummaries(load('vmprof-0.6.0/threads_realtime.prof')).map(s => s.label)).toContain('main');
    // In CPU-time mode the main thread only waits in join(): just the two workers are sampled.
    expect(threadSummaries(load('vmprof-0.6.0/threads.prof')).map(s => s.label)).toEqual(['thread 1', 'thread 2']);
    expect(threadSummaries(load('vmprof-0.6.0/mixed.prof')).map(s => s.label)).toEqual(['main']);
  });
});
