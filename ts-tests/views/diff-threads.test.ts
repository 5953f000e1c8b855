/**
 * The Compare view's kernel-threads switch (src/views/diff-threads.ts) on
 * Diff JSON the converter makes from a real `%%vmprof --real-time` file
 * (test-data/profiles/magic/realtime_idle_threads.prof: 642 samples of the
 * cell's thread, 13, 2 and 6 of three idle kernel threads).
 */
import { join } from 'path';

import { IDiffJSON, isDiffJSON } from '../../src/model/diff-json';
import { convert, parseArgs } from '../../src/node/convert';
import { buildDiffRows, diffSummary } from '../../src/views/diff';
import { diffThreadsChoice } from '../../src/views/diff-threads';

const FILE = join(__dirname, '..', '..', 'test-data', 'profiles', 'magic', 'realtime_idle_threads.prof');
const CELL = '140432396218104';

/** A = the file as a cell's profile, B = the same file; `bCell`: B records its cell's threads too. */
function diffOf(options: { bCell: boolean; kernel: boolean }): IDiffJSON {
  const argv = [FILE, '--cell-threads', CELL, '--diff', FILE];
  if (options.bCell) {
    argv.push('--diff-cell-threads', CELL);
  }
  if (options.kernel) {
    argv.push('--kernel-threads');
  }
  const diff = JSON.parse(convert(parseArgs(argv), () => undefined));
  expect(isDiffJSON(diff)).toBe(true);
  return diff;
}

/** Each side's self shares over every function, in percent: what is shown adds up to 100. */
function selfPercents(diff: IDiffJSON): [number, number] {
  const sum = (pick: (f: IDiffJSON['functions'][number]) => number) =>
    diff.functions.reduce((total, f) => total + pick(f), 0) * 100;
  return [sum(f => f.selfFractionA), sum(f => f.selfFractionB)];
}

describe('both sides recorded their cell threads', () => {
  const hidden = diffOf({ bCell: true, kernel: false });
  const included = diffOf({ bCell: true, kernel: true });

  test('by default the switch is off and says what each side hides', () => {
    expect(diffThreadsChoice(hidden)).toEqual({
      offered: true,
      included: false,
      note: 'A: 3 kernel threads hidden, 21 samples · B: 3 kernel threads hidden, 21 samples'
    });
    expect([hidden.a.samples, hidden.b.samples]).toEqual([642, 642]);
  });

  test('switched on, each side grows by exactly what it hid', () => {
    expect(diffThreadsChoice(included)).toEqual({
      offered: true,
      included: true,
      note: 'A: 3 kernel threads included, 21 samples · B: 3 kernel threads included, 21 samples'
    });
    expect(included.a.samples).toBe(hidden.a.samples + hidden.a.kernelThreads!.samples);
    expect(included.b.samples).toBe(hidden.b.samples + hidden.b.kernelThreads!.samples);
    const summary = diffSummary(buildDiffRows(included), 'before', 'after');
    expect(summary).toContain('A: before (663 samples) · B: after (663 samples)');
  });

  test('percentages add up to 100 of what is shown, either way', () => {
    for (const diff of [hidden, included]) {
      const [a, b] = selfPercents(diff);
      expect(a).toBeCloseTo(100, 6);
      expect(b).toBeCloseTo(100, 6);
    }
  });
});

test('one side without the record: it hides nothing, the other side still offers the switch', () => {
  const hidden = diffOf({ bCell: false, kernel: false });
  expect(hidden.b.kernelThreads).toBeUndefined();
  expect(hidden.b.samples).toBe(663);
  expect(diffThreadsChoice(hidden).note).toBe('A: 3 kernel threads hidden, 21 samples · B: none hidden');
  const included = diffOf({ bCell: false, kernel: true });
  expect(diffThreadsChoice(included).note).toBe('A: 3 kernel threads included, 21 samples · B: none to include');
  expect(included.b.samples).toBe(hidden.b.samples);
});

test('profiles without kernel threads offer no switch', () => {
  const diff = JSON.parse(convert(parseArgs([FILE, '--diff', FILE]), () => undefined)) as IDiffJSON;
  expect(diff.a).toEqual({ profile: 'realtime_idle_threads.prof', samples: 663 });
  expect(diffThreadsChoice(diff)).toEqual({ offered: false, included: false, note: '' });
});
