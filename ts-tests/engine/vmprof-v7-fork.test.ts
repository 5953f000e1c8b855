/** Version 7 in the Cskorpion fork's layout: a double timestamp in the count slot (cpuburn.cpython.tsprof). */
import { load } from './helpers';

const FILE = 'third-party/cpuburn.cpython.tsprof';

describe(FILE, () => {
  const p = load(FILE);

  test('samples and per-sample monotonic timestamps', () => {
    expect(p.sampleStack.length).toBe(3043);
    expect(p.info.fileVersion).toBe(7);
    expect(p.sampleTime![0]).toBeCloseTo(451.370060965, 6);
    expect(p.sampleTime![3042]).toBeCloseTo(481.790013875, 6);
    expect(p.info.warnings).toEqual([]);
  });

  test('time from timestamps, not from the 10 ms period', () => {
    expect(p.info.timeBasis).toBe('timestamps');
    expect(p.info.secondsPerSample!).toBeCloseTo((481.790013875 - 451.370060965) / 3042, 9);
  });
});
