/**
 * The thread chooser, summary line, timeline and export names of a cell's
 * profile whose kernel threads are left out (src/views/threads.ts), on the
 * Graph JSON of a real `%%vmprof --real-time` file (test-data/profiles/magic):
 * 642 samples of the cell's thread, 13, 2 and 6 of three idle kernel threads.
 */
import { toGraphJSON } from '../../src/formats/graph-json';
import type { IGraphJSON } from '../../src/model/graph-json';
import { selectThreads } from '../../src/model/threads';
import { prepareProfile } from '../../src/symbols/prepare';
import { exportFileName, exportPath } from '../../src/views/export';
import { sampledSeconds, summaryText } from '../../src/views/summary';
import {
  CELL_THREADS_LABEL,
  KERNEL_THREADS,
  graphQuery,
  hiddenThreadsText,
  threadOptions,
  threadSelectionOf
} from '../../src/views/threads';
import { buildTimeline } from '../../src/views/timeline';
import { load } from '../engine/helpers';

const CELL = '140432396218104';

function graphOf(thread: string | null, includeKernel: boolean, cellThreads: string[] | null = [CELL]): IGraphJSON {
  const profile = prepareProfile(load('magic/realtime_idle_threads.prof'));
  const selection = selectThreads(profile, thread, cellThreads, includeKernel);
  return toGraphJSON(profile, { creator: 'x', thread: selection.filter, kernelThreads: selection.kernelThreads });
}

describe('the thread chooser', () => {
  it("offers the cell's threads (chosen) and all threads + kernel; shares are of the cell's samples", () => {
    const options = threadOptions(graphOf(null, false).profile);
    expect(options.map(o => [o.value, o.text, o.selected])).toEqual([
      ['', "the cell's threads (642 samples)", true],
      [KERNEL_THREADS, 'all threads + kernel (3) (663 samples)', false],
      [CELL, 'main — 100.0% (642 samples)', false],
      ['94004997363040', 'thread 2 (kernel) (13 samples)', false],
      ['94004998209344', 'thread 3 (kernel) (2 samples)', false],
      ['94004998992608', 'thread 4 (kernel) (6 samples)', false]
    ]);
    expect(options[0].label).toBe(CELL_THREADS_LABEL);
    expect(options[0].title).toBe(
      "3 kernel threads hidden, 21 samples: the kernel's heartbeat, IOPub, control and history threads"
    );
  });

  it('with the kernel threads, every thread has its share of the file, adding up to 100', () => {
    const options = threadOptions(graphOf(null, true).profile);
    expect(options.filter(o => o.selected).map(o => o.value)).toEqual([KERNEL_THREADS]);
    expect(options.slice(2).map(o => o.percent)).toEqual([96.8, 2.0, 0.3, 0.9]);
    expect(options.slice(2).reduce((a, o) => a + Math.round(o.percent * 10), 0)).toBe(1000);
  });

  it('a profile without cell threads keeps one "all threads" entry', () => {
    const options = threadOptions(graphOf(null, false, null).profile);
    expect(options.map(o => o.text)[0]).toBe('all threads (663 samples)');
    expect(options.some(o => o.value === KERNEL_THREADS)).toBe(false);
  });
});

describe('requests and names follow the selection', () => {
  it('graph and export queries', () => {
    expect(graphQuery(KERNEL_THREADS)).toBe('?kernel_threads=true');
    expect(graphQuery(null)).toBe('');
    expect(exportPath('p', 'callgrind', KERNEL_THREADS)).toBe('profiles/p/export/callgrind?kernel_threads=true');
    expect(exportFileName('p', 'callgrind', KERNEL_THREADS)).toBe('callgrind.out.p.with-kernel-threads');
    expect(exportFileName('p', 'raw', KERNEL_THREADS)).toBe('p.prof');
  });

  it('threadSelectionOf reads the selection back from the graph', () => {
    expect(threadSelectionOf(graphOf(null, false).profile)).toBeNull();
    expect(threadSelectionOf(graphOf(null, true).profile)).toBe(KERNEL_THREADS);
    expect(threadSelectionOf(graphOf(CELL, false).profile)).toBe(CELL);
  });
});

describe('what the views say was left out', () => {
  it('the summary line', () => {
    const hidden = graphOf(null, false);
    expect(hiddenThreadsText(hidden.profile)).toBe('3 kernel threads hidden, 21 samples');
    const one = { ...hidden.profile, kernelThreads: { included: false, threads: 1, samples: 1 } };
    expect(hiddenThreadsText(one)).toBe('1 kernel thread hidden, 1 sample');
    expect(summaryText(hidden)).toMatch(/^642 samples · .* · 3 kernel threads hidden, 21 samples$/);
    expect(hiddenThreadsText(graphOf(null, true).profile)).toBeNull();
    expect(summaryText(graphOf(null, true))).toMatch(/^663 samples · /);
    // Real time: the cell thread's own samples, whichever way.
    expect(sampledSeconds(hidden)).toBeCloseTo(642 * hidden.profile.secondsPerSample!, 9);
  });

  it('the timeline legend holds the cell thread only, and a note says why', () => {
    const view = buildTimeline(graphOf(null, false))!;
    expect(view.traces.map(t => t.name)).toEqual(['main']);
    expect(view.notes.join(' ')).toContain('3 kernel threads hidden, 21 samples');
    const all = buildTimeline(graphOf(null, true))!;
    expect(all.traces.map(t => t.name)).toEqual([
      'main',
      'thread 2 (kernel)',
      'thread 3 (kernel)',
      'thread 4 (kernel)'
    ]);
  });
});
