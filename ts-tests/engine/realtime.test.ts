/**
 * Real-time mode: the time one sample stands for is the main thread's, not
 * an average over idle kernel threads sampled a handful of times. Real file
 * from %%vmprof --real-time on a loaded machine (test-data/profiles/magic):
 * a 2.005 s cell (meta.json duration_s), 642 samples of the main thread and
 * 13, 2 and 6 of three kernel threads.
 */
import { toGraphJSON } from '../../src/formats/graph-json';
import { sampledSeconds } from '../../src/views/summary';
import { load } from './helpers';

const CELL_WALL_SECONDS = 2.00457;

test('sampled wall time is the cell wall time', () => {
  const profile = load('magic/realtime_idle_threads.prof');
  expect(profile.info.mode.realTime).toBe(true);
  const graph = toGraphJSON(profile, { creator: 'x' });
  expect(graph.profile.threads.map(t => t.samples)).toEqual([642, 13, 2, 6]);
  const sampled = sampledSeconds(graph)!;
  expect(Math.abs(sampled - CELL_WALL_SECONDS)).toBeLessThan(0.05 * CELL_WALL_SECONDS);
});
