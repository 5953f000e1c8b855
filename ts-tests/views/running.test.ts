/** A profile output while its cell runs, and what it becomes when the kernel dies meanwhile. */
jest.mock('../../src/handler', () => ({ requestAPI: jest.fn() }));

import { requestAPI } from '../../src/handler';
import { KERNEL_DIED_NOTE, progressText, RunningWatch, ServerStatus } from '../../src/views/running';

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;
const base = { id: 'P', name: '', status: 'running', samples: null, duration_s: null, warnings: [], version: 1 };

test('progress reads elapsed seconds and samples so far', () => {
  expect(progressText({ ...base, progress: { elapsed_s: 12.4, samples: 3100 } } as never)).toBe(
    'Profiling… 12 s so far, about 3,100 samples'
  );
  expect(progressText({ ...base, progress: { elapsed_s: 2, samples: null } } as never)).toBe('Profiling… 2 s so far');
  expect(progressText(base)).toBe('Profiling…');
  expect(KERNEL_DIED_NOTE).toMatch(/kernel stopped.*interrupted/);
});

test('the watch asks until the server no longer says running, then settles once', async () => {
  jest.useFakeTimers();
  request
    .mockResolvedValueOnce({ status: 'running' })
    .mockResolvedValueOnce({ status: 'running' })
    .mockResolvedValueOnce({ status: 'interrupted', error: null });
  const settled: ServerStatus[] = [];
  new RunningWatch('P', status => settled.push(status), 1000);
  for (let i = 0; i < 3; i++) {
    await Promise.resolve();
    await Promise.resolve();
    jest.advanceTimersByTime(1000);
  }
  await Promise.resolve();
  await Promise.resolve();
  expect(request).toHaveBeenCalledTimes(3);
  expect(request.mock.calls[0][0]).toBe('profiles/P');
  expect(settled).toEqual(['interrupted']);
  jest.useRealTimers();
});

test('a stopped watch asks no more', async () => {
  jest.useFakeTimers();
  request.mockReset();
  request.mockResolvedValue({ status: 'running' });
  const settled: ServerStatus[] = [];
  const watch = new RunningWatch('P', status => settled.push(status), 1000);
  await Promise.resolve();
  await Promise.resolve();
  watch.stop();
  jest.advanceTimersByTime(5000);
  expect(request).toHaveBeenCalledTimes(1);
  expect(settled).toEqual([]);
  jest.useRealTimers();
});
