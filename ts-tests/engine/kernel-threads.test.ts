/**
 * The cell's threads by default, the kernel's own on request
 * (src/model/threads.ts selectThreads): a real `%%vmprof --real-time` file
 * (test-data/profiles/magic) with 642 samples of the cell's thread and 13, 2
 * and 6 of three idle kernel threads, and hand-built profiles.
 */
import { toCallgrind } from '../../src/formats/callgrind';
import { toCollapsed } from '../../src/formats/collapsed';
import { toGraphJSON } from '../../src/formats/graph-json';
import { toSpeedscope } from '../../src/formats/speedscope';
import { callGraph } from '../../src/model/call-graph';
import { diffProfiles } from '../../src/model/diff';
import { describeSelection, keepThreads, selectThreads } from '../../src/model/threads';
import { prepareProfile } from '../../src/symbols/prepare';
import { join } from 'path';
import { convert, parseArgs } from '../../src/node/convert';
import { PROFILES, load } from './helpers';
import { profileOf } from './model-helpers';

const CELL = '140432396218104';
const KERNEL = ['94004997363040', '94004998209344', '94004998992608'];

const realTime = () => prepareProfile(load('magic/realtime_idle_threads.prof'));

describe('the default leaves the kernel threads out', () => {
  test('Graph JSON: 100 % is the cell thread, the kernel threads are marked and counted', () => {
    const profile = realTime();
    const selection = selectThreads(profile, null, [CELL], false);
    expect(selection.filter).toEqual([CELL]);
    const graph = toGraphJSON(profile, {
      creator: 'x',
      thread: selection.filter,
      kernelThreads: selection.kernelThreads
    });
    expect(graph.profile.samples).toBe(642);
    expect(graph.profile.totalSamples).toBe(663);
    expect(graph.profile.thread).toBeNull();
    expect(graph.profile.kernelThreads).toEqual({ included: false, threads: 3, samples: 21 });
    expect(graph.profile.threads.filter(t => t.kernel).map(t => t.id)).toEqual(KERNEL);
    expect(graph.profile.threads.find(t => t.id === CELL)!.kernel).toBeUndefined();
    // Every count adds up to the selected samples: the tree's root, and self over all frames.
    expect(graph.tree.total[0]).toBe(642);
    expect(graph.frames.reduce((a, f) => a + f.self, 0)).toBe(642);
    expect(graph.timeOrder!.thread).toBe(CELL);
  });

  test('the switch brings them back: every sample, still marked', () => {
    const profile = realTime();
    const selection = selectThreads(profile, null, [CELL], true);
    expect(selection.filter).toBeNull();
    const graph = toGraphJSON(profile, {
      creator: 'x',
      thread: selection.filter,
      kernelThreads: selection.kernelThreads
    });
    expect(graph.profile.samples).toBe(663);
    expect(graph.tree.total[0]).toBe(663);
    expect(graph.profile.kernelThreads).toEqual({ included: true, threads: 3, samples: 21 });
  });

  test('one chosen thread wins, a kernel thread included', () => {
    const profile = realTime();
    const selection = selectThreads(profile, KERNEL[0], [CELL], false);
    expect(selection.filter).toBe(KERNEL[0]);
    expect(callGraph(profile, selection.filter).samples).toBe(13);
    expect(describeSelection(selection)).toBe(`thread ${KERNEL[0]}`);
  });
});

describe('profiles without the cell threads keep every thread', () => {
  test.each([
    ['no cell ids (older profile, script, imported file)', null],
    ['an empty list', []],
    ['ids of no thread in the file', ['12345']]
  ])('%s', (_, cell) => {
    const profile = realTime();
    const selection = selectThreads(profile, null, cell, false);
    expect(selection).toEqual({ filter: null });
    expect(describeSelection(selection)).toBe('all threads');
    expect(toGraphJSON(profile, { creator: 'x', thread: selection.filter }).profile.kernelThreads).toBeUndefined();
  });

  test('a cell whose threads are all there is is nothing to hide', () => {
    const profile = profileOf([
      ['<module>;f', '1'],
      ['<module>;g', '2']
    ]);
    expect(selectThreads(profile, null, ['1', '2'], false)).toEqual({ filter: null });
  });
});

describe('exports hold the same samples and say which', () => {
  const profile = realTime();
  const selection = selectThreads(profile, null, [CELL], false);
  const said = "the cell's threads (3 kernel threads left out, 21 samples)";

  test('describeSelection', () => {
    expect(describeSelection(selection)).toBe(said);
    expect(describeSelection(selectThreads(profile, null, [CELL], true))).toBe(
      'all threads (3 kernel threads included, 21 samples)'
    );
  });

  test('callgrind: the summary is the cell samples, a desc line names the threads', () => {
    const text = toCallgrind(profile, { creator: 'x', thread: selection.filter, threads: said });
    expect(text).toContain(`desc: Threads: ${said}\n`);
    expect(text).toMatch(/^summary: 642$/m);
  });

  test('collapsed: the counts add up to the cell samples', () => {
    const lines = toCollapsed(profile, selection.filter).trim().split('\n');
    expect(lines.reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)).toBe(642);
  });

  test('collapsed: no header, every line a stack that flamegraph.pl, inferno and speedscope take', () => {
    const lines = toCollapsed(profile, selection.filter).trimEnd().split('\n');
    const split = (line: string) => [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    for (const line of lines) {
      // speedscope keeps `stack count` lines and skips others quietly; flamegraph.pl and inferno
      // count a line without a final number as invalid, and read `stack n m` as a differential line.
      expect(line).toMatch(/^(.*) (\d+)$/);
      expect(split(line)[0]).not.toMatch(/\s\d+(\.\d*)?$/);
    }
    // Read back, each stack's innermost frame holds its samples: the same self counts as Graph JSON's.
    const selfByLeaf = new Map<string, number>();
    for (const [stack, count] of lines.map(split)) {
      const leaf = stack.slice(stack.lastIndexOf(';') + 1);
      selfByLeaf.set(leaf, (selfByLeaf.get(leaf) ?? 0) + Number(count));
    }
    const graph = toGraphJSON(profile, {
      creator: 'x',
      thread: selection.filter,
      kernelThreads: selection.kernelThreads
    });
    const expected = new Map<string, number>();
    for (const f of graph.frames.filter(frame => frame.self > 0)) {
      const label = (f.file ? `${f.name} (${f.file}:${f.line})` : f.name).replace(/;/g, ':');
      expected.set(label, (expected.get(label) ?? 0) + f.self);
    }
    expect(selfByLeaf).toEqual(expected);
    expect([...selfByLeaf.values()].reduce((a, b) => a + b, 0)).toBe(642);
  });

  test('speedscope: one profile, the cell thread', () => {
    const file = toSpeedscope(profile, { name: 'p', exporter: 'x', thread: selection.filter });
    expect(file.profiles.map(p => p.name)).toEqual([`thread ${CELL}`]);
  });
});

describe('keepThreads, for comparisons', () => {
  test('keeps exactly the samples of the kept threads, with their times', () => {
    const profile = realTime();
    const kept = keepThreads(profile, [CELL]);
    expect(kept.sampleStack.length).toBe(642);
    expect(Array.from(kept.sampleThread).every(t => profile.threads[t] === CELL)).toBe(true);
    expect(kept.sampleTime!.length).toBe(642);
    expect(keepThreads(profile, null)).toBe(profile);
  });

  test('a comparison without the kernel threads counts the cell samples only', () => {
    const profile = realTime();
    const diff = diffProfiles(keepThreads(profile, [CELL]), keepThreads(profile, null));
    expect(diff.samplesA).toBe(642);
    expect(diff.samplesB).toBe(663);
  });
});

describe('the converter takes the cell threads and the switch', () => {
  const file = join(PROFILES, 'magic/realtime_idle_threads.prof');
  const run = (...options: string[]) => JSON.parse(convert(parseArgs([file, ...options]), () => undefined));

  test('arguments: ids in decimal or hex, separated by commas', () => {
    const args = parseArgs([
      'p.prof',
      '--cell-threads',
      `${CELL},0x10`,
      '--kernel-threads',
      '--diff',
      'q.prof',
      '--diff-cell-threads',
      '5'
    ]);
    expect(args.cellThreads).toEqual([CELL, '16']);
    expect(args.kernelThreads).toBe(true);
    expect(args.diffCellThreads).toEqual(['5']);
    expect(() => parseArgs(['p.prof', '--cell-threads', 'main'])).toThrow(/not a number/);
  });

  test('Graph JSON: the cell thread by default, every thread with --kernel-threads', () => {
    expect(run('--cell-threads', CELL).profile).toMatchObject({
      samples: 642,
      kernelThreads: { included: false, threads: 3, samples: 21 }
    });
    expect(run('--cell-threads', CELL, '--kernel-threads').profile.samples).toBe(663);
    expect(run().profile.kernelThreads).toBeUndefined();
  });

  test('--diff: both sides without their kernel threads', () => {
    const diff = run('--cell-threads', CELL, '--diff', file, '--diff-cell-threads', CELL);
    expect([diff.a.samples, diff.b.samples]).toEqual([642, 642]);
    expect(run('--cell-threads', CELL, '--diff', file).b.samples).toBe(663);
  });
});
