/**
 * The differential flame graph's trace (src/views/diff-flame.ts): colour by
 * the sign and size of the change of self share, widths that nest, the
 * legend, and names that stay text. On Diff JSON made by the model from
 * known stacks, and by the bundled converter from two real profiles.
 */
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

import { diffProfiles } from '../../src/model/diff';
import { DIFF_FORMAT, DIFF_VERSION, IDiffJSON } from '../../src/model/diff-json';
import { ProfileBuilder } from '../../src/model/profile';
import {
  buildDiffFlame,
  deltaColor,
  FALLBACK_DIFF_FLAME_COLORS as COLORS,
  MAX_LEVELS,
  mix,
  parseColor,
  signedPoints
} from '../../src/views/diff-flame';
import { INFO } from '../engine/model-helpers';
import { CONVERTER } from './graphs';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** Stacks as "outer;inner" with a count each; every frame a Python function of cell.py. */
function profile(stacks: Record<string, number>) {
  const b = new ProfileBuilder();
  for (const [text, count] of Object.entries(stacks)) {
    const frames = text.split(';').map(n => b.frame(n, '/srv/cell.py', 1, 'python'));
    for (let i = 0; i < count; i++) {
      b.addSample(b.stackOf(frames), b.thread('1'));
    }
  }
  return b.build(INFO);
}

function diffJSON(a: Record<string, number>, b: Record<string, number>): IDiffJSON {
  const d = diffProfiles(profile(a), profile(b));
  return {
    format: DIFF_FORMAT,
    version: DIFF_VERSION,
    a: { profile: 'a.prof', samples: d.samplesA },
    b: { profile: 'b.prof', samples: d.samplesB },
    functions: d.functions,
    tree: d.tree
  };
}

// A: 100 samples, 50 in slow, 50 in fast. B: 200 samples, 150 in slow, 20 in fast, 30 in the new hostile one.
const diff = diffJSON(
  { 'main;slow': 50, 'main;fast': 50 },
  { 'main;slow': 150, 'main;fast': 20, [`main;${HOSTILE}`]: 30 }
);
const view = buildDiffFlame(diff)!;
const box = (label: string) => view.trace.labels.indexOf(label);

describe('the differential flame graph', () => {
  test('self deltas in percentage points of each profile (normalised), B − A', () => {
    expect(view.selfDeltaPoints[box('slow')]).toBeCloseTo(75 - 50, 9);
    expect(view.selfDeltaPoints[box('fast')]).toBeCloseTo(10 - 50, 9);
    expect(view.selfDeltaPoints[box('main')]).toBe(0);
    expect(view.maxPoints).toBeCloseTo(40, 9);
  });

  test('red for slower, blue for faster, grey unchanged; the largest change the strongest', () => {
    const fast = view.trace.marker.colors[box('fast')];
    const slow = view.trace.marker.colors[box('slow')];
    expect(fast).toBe(COLORS.faster); // −40 pp is the largest change: the full colour
    const [r, , b] = parseColor(slow)!;
    expect(r).toBeGreaterThan(b); // red side
    expect(slow).not.toBe(COLORS.slower); // +25 pp of 40: lighter than the full red
    expect(view.trace.marker.colors[box('main')]).toBe(COLORS.neutral);
    // Intensity grows with the size of the change.
    const distance = (c: string) => {
      const [x, y, z] = parseColor(c)!;
      const [nx, ny, nz] = parseColor(COLORS.neutral)!;
      return Math.hypot(x - nx, y - ny, z - nz);
    };
    expect(distance(deltaColor(30, 40, COLORS))).toBeGreaterThan(distance(deltaColor(10, 40, COLORS)));
    expect(deltaColor(0.01, 40, COLORS)).toBe(COLORS.neutral);
    expect(deltaColor(-0.01, 40, COLORS)).toBe(COLORS.neutral);
  });

  test('widths: the mean of the two total shares, and children never exceed their parent', () => {
    const { values, parents, ids } = view.trace;
    // slow: 50% of A, 75% of B → mean 62.5% of the root's width.
    expect(values[box('slow')] / values[0]).toBeCloseTo(0.625, 9);
    // The new function only B ran keeps its box: 15% of B, 0% of A → 7.5%.
    expect(values[box(HOSTILE.replace(/</g, '&lt;').replace(/>/g, '&gt;'))] / values[0]).toBeCloseTo(0.075, 9);
    const sums = new Map<string, number>();
    parents.forEach((p, i) => p && sums.set(p, (sums.get(p) ?? 0) + values[i]));
    ids.forEach((id, i) => expect(sums.get(id) ?? 0).toBeLessThanOrEqual(values[i]));
    expect(values.every(Number.isInteger)).toBe(true);
  });

  test('names stay text: labels and hover text escaped, no tag reaches plotly', () => {
    const i = view.trace.labels.findIndex(l => l.includes('img'));
    expect(view.trace.labels[i]).toBe('&lt;img src=x onerror=alert(1)&gt;');
    for (const text of [...view.trace.labels, ...view.trace.hovertext]) {
      expect(text).not.toMatch(/<img/);
    }
    expect(view.trace.hovertext[i]).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  test('tooltip: before, after and delta, in % and in samples', () => {
    expect(view.trace.hovertext[box('slow')]).toContain(
      'self: A 50.0% (50 samples) → B 75.0% (150 samples), Δ +25.00 pp'
    );
    expect(view.trace.hovertext[box('fast')]).toContain('Δ −40.00 pp');
  });

  test('legend: from most slower to most faster, with the scale it was drawn with', () => {
    expect(view.legend.map(e => e.text)).toEqual([
      '+40.00 pp slower',
      '+20.00 pp slower',
      'unchanged',
      '−20.00 pp faster',
      '−40.00 pp faster'
    ]);
    expect(view.legend[0].color).toBe(COLORS.slower);
    expect(view.legend[2].color).toBe(COLORS.neutral);
    expect(view.legend[4].color).toBe(COLORS.faster);
    expect(view.note).toMatch(/percentage points of each profile's own samples/);
  });

  test('levels: all of a shallow tree; a deep one drawn MAX_LEVELS at a time', () => {
    expect(view.levels).toBe(3); // all samples, main, slow
    expect(view.trace.maxdepth).toBe(3);
    const chain = Array.from({ length: MAX_LEVELS + 10 }, (_, i) => `f${i}`).join(';');
    const deep = buildDiffFlame(diffJSON({ [chain]: 2 }, { [chain]: 1 }))!;
    expect(deep.trace.maxdepth).toBe(MAX_LEVELS);
    expect(deep.trace.labels).toHaveLength(MAX_LEVELS + 11); // every box is in the data, for zooming
  });

  test('a profile against itself: all grey, one legend entry', () => {
    const same = buildDiffFlame(diffJSON({ 'main;slow': 3 }, { 'main;slow': 3 }))!;
    expect(new Set(same.trace.marker.colors)).toEqual(new Set([COLORS.neutral]));
    expect(same.legend.map(e => e.text)).toEqual(['no change of self share anywhere']);
  });

  test('no tree (an older converter): no flame graph', () => {
    const { tree: _tree, ...older } = diff;
    expect(buildDiffFlame(older)).toBeNull();
  });

  test('colours: blending and parsing theme values', () => {
    expect(mix('#000000', '#ffffff', 0.5)).toBe('#808080');
    expect(mix('rgb(0, 0, 0)', '#f00', 1)).toBe('#ff0000');
    expect(mix('var(--x)', '#123456', 0.5)).toBe('#123456');
    expect(parseColor(' #1976D2 ')).toEqual([0x19, 0x76, 0xd2]);
    expect(signedPoints(-0.001)).toBe('0.00 pp');
  });
});

const describeIfBuilt = existsSync(CONVERTER) ? describe : describe.skip;

describeIfBuilt('real profiles: mixed.prof vs numpy_work.prof', () => {
  test('hot_70 (only in A) is blue, step’s BLAS work (only in B) red', () => {
    const dir = join(__dirname, '..', '..', 'test-data', 'profiles', 'generated');
    const out = execFileSync(
      process.execPath,
      [CONVERTER, join(dir, 'mixed.prof'), '--diff', join(dir, 'numpy_work.prof')],
      {
        maxBuffer: 64 << 20,
        stdio: ['ignore', 'pipe', 'ignore']
      }
    );
    const real = buildDiffFlame(JSON.parse(out.toString()) as IDiffJSON)!;
    const reds = real.selfDeltaPoints.filter(d => d > 0).length;
    expect(reds).toBeGreaterThan(0);
    const fib = real.trace.labels.map((l, i) => (l === 'fib' ? i : -1)).filter(i => i >= 0);
    expect(fib.length).toBeGreaterThan(0);
    fib.forEach(i => expect(real.selfDeltaPoints[i]).toBeLessThanOrEqual(0));
    const biggestFib = fib.reduce((x, y) => (real.selfDeltaPoints[y] < real.selfDeltaPoints[x] ? y : x));
    const [r, , b] = parseColor(real.trace.marker.colors[biggestFib])!;
    expect(b).toBeGreaterThan(r);
    const sum = real.selfDeltaPoints.reduce((s, d) => s + d, 0);
    expect(Math.abs(sum)).toBeLessThan(1e-9); // self shares of each profile add up to 100
  });
});
