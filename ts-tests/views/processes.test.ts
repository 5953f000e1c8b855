/** The process chooser of a `%%vmprof --workers` output, and its requests. */
import { exportFileName, exportPath } from '../../src/views/export';
import { processOptions, workersText, workersTooltip } from '../../src/views/processes';
import { graphPath } from '../../src/views/threads';

const WORKERS = [
  { address: 'tcp://127.0.0.1:40123', host: 'node-a', pid: 11, status: 'complete' },
  { address: 'tcp://127.0.0.1:40125', host: 'node-a', pid: 12, status: 'died', error: 'Dask worker tcp://127.0.0.1:40125 (node-a) died' }
];

describe('process chooser', () => {
  test('no workers: no chooser', () => {
    expect(processOptions(undefined)).toEqual([]);
    expect(processOptions([])).toEqual([]);
  });

  test('the kernel, all workers, then each worker; a dead worker is named and cannot be chosen', () => {
    const options = processOptions(WORKERS);
    expect(options.map(o => [o.value, o.text, o.disabled])).toEqual([
      ['kernel', 'kernel', false],
      ['workers', 'all workers (1 of 2)', false],
      ['worker-0', 'worker 0 (127.0.0.1:40123, node-a)', false],
      ['worker-1', 'worker 1 (127.0.0.1:40125, node-a) — died', true]
    ]);
    expect(options[3].title).toContain('died');
  });

  test('requests name the process; the kernel is the default and says nothing', () => {
    expect(graphPath('P', null, { process: 'kernel' })).toBe('profiles/P/graph');
    expect(graphPath('P', 'worker 0 (127.0.0.1:40123)/12345', { process: 'workers' })).toBe(
      'profiles/P/graph?thread=worker%200%20(127.0.0.1%3A40123)%2F12345&process=workers'
    );
    expect(() => graphPath('P', null, { process: 'worker-x' })).toThrow(/not a process/);
    expect(exportPath('P', 'callgrind', null, 'worker-1')).toBe('profiles/P/export/callgrind?process=worker-1');
    expect(exportPath('P', 'raw', '123', 'worker-1')).toBe('profiles/P/export/raw?process=worker-1');
    expect(exportFileName('P', 'callgrind', null, 'worker-1')).toBe('callgrind.out.P.worker-1');
  });
});

describe("the profile browser's row", () => {
  test('says how many Dask workers were profiled and how many died', () => {
    expect(workersText(undefined)).toBe('');
    expect(workersText([WORKERS[0]])).toBe('1 Dask worker');
    expect(workersText(WORKERS)).toBe('2 Dask workers (1 died)');
    expect(workersTooltip(WORKERS)).toBe('tcp://127.0.0.1:40123 (node-a): complete\ntcp://127.0.0.1:40125 (node-a): died');
  });
});
