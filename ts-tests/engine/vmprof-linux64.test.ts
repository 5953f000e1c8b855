/** Linux 64-bit, version 6, memory + lines + native, names after the samples (vmprof_cpuburn.prof). */
import { callGraph } from '../../src/model/call-graph';
import { functionCounts, load } from './helpers';

const FILE = 'third-party/vmprof_cpuburn.prof';

describe(FILE, () => {
  const p = load(FILE);

  test('header facts', () => {
    expect(p.sampleStack.length).toBe(5551);
    expect(p.info.fileVersion).toBe(6);
    expect(p.info.mode).toEqual({ native: true, lines: true, memory: true, realTime: false });
    expect(p.info.periodSeconds).toBe(0.001);
    expect(p.info.platform).toBe('linux');
    expect(p.threads).toEqual([String(0xeb6910)]);
    expect(p.info.warnings).toEqual([]);
  });

  test('rss per sample in memory mode', () => {
    expect(p.sampleRss).not.toBeNull();
    expect(p.sampleRss!.length).toBe(5551);
    expect(p.sampleRss![0]).toBe(11972);
  });

  test('known per-function counts (vmprof reader ground truth)', () => {
    const c = functionCounts(p);
    const f = (name: string) => [...c].find(([k]) => k.startsWith(`${name}|`))![1][1];
    expect(f('test')).toBe(5551);
    expect(f('burn')).toBe(5543);
    expect(f('_iterate')).toBe(5543);
    expect(f('_next_rand')).toBe(2973);
  });

  test('an even id named only by a 0x08 placeholder is unknown Python code at the root', () => {
    const root = p.frames[p.stackFrame[0]];
    expect(root).toEqual({ name: '<unknown code 0x7f2cd8a4fdf0>', file: '', line: 0, kind: 'unknown' });
  });

  test('time: no timestamps, so duration / samples', () => {
    expect(p.info.timeBasis).toBe('duration');
    expect(p.info.durationSeconds!).toBeCloseTo(32.368, 2);
    expect(p.info.secondsPerSample! * 5551).toBeCloseTo(p.info.durationSeconds!, 6);
  });

  test('line-level frames in lines mode', () => {
    const lines = load(FILE, true);
    const burnLines = lines.frames.filter(f => f.name === '_next_rand').map(f => f.line);
    expect(burnLines.length).toBeGreaterThan(1);
    // Same samples, same function totals once lines are merged back.
    expect(callGraph(lines).samples).toBe(5551);
  });
});
