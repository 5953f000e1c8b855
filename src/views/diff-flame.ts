/**
 * The differential flame graph of a comparison (Diff JSON's `tree`): an
 * icicle of the merged call tree of A and B (model/diff-tree.ts says why
 * merged), each box coloured by the change of its self share, as in
 * Brendan Gregg's differential flame graphs: red where B spends a larger
 * share of its samples there (slower), blue where smaller (faster), the
 * stronger the larger the change, neutral grey near zero. Pure: no DOM, no
 * plotly.
 *
 * Every delta is normalised: a share of each profile's own samples, B − A
 * in percentage points, since two runs rarely take the same number of
 * samples. A box is as wide as the mean of its two total shares, so a path
 * only one profile ran keeps half its width and stays visible.
 *
 * Names are arbitrary text: plotly reads labels and hover text as a small
 * HTML subset, so both are escaped here.
 */
import type { IDiffJSON, IDiffTree, IFunctionDiff } from '../model/diff-json';
import { FALLBACK_DIFF_FLAME_COLORS, IDiffFlameColors } from '../tokens';
import { functionLabel } from './diff';
import { baseName, escapePlotlyText, formatCount, formatPercent } from './format';
import { kindLabel } from './kinds';
import type { IIcicleTrace } from './flame';

export { FALLBACK_DIFF_FLAME_COLORS };
export type { IDiffFlameColors };

/** Changes of self share below this (in percentage points) are drawn neutral. */
export const NEUTRAL_POINTS = 0.05;
/**
 * Levels drawn at once: deeper ones appear on clicking a box (plotly zooms),
 * so a deep tree keeps boxes tall enough for their labels.
 */
export const MAX_LEVELS = 24;
/** The faintest tint of a changed box, so a small change is still seen as one. */
const MIN_TINT = 0.25;

/** The flame graph's icicle trace, with boxes in the order given and outlined. */
export interface IDiffIcicleTrace extends Omit<IIcicleTrace, 'marker'> {
  /** Proportional to the mean of the node's total shares in A and B (exact integers). */
  values: number[];
  sort: false;
  marker: { colors: string[]; line: { width: number } };
}

export interface IDiffLegendEntry {
  /** Self share B − A in percentage points this swatch stands for. */
  points: number;
  color: string;
  /** `+12.3 pp slower`, `unchanged`, plain text. */
  text: string;
}

export interface IDiffFlameView {
  trace: IDiffIcicleTrace;
  /** Per box, the change of self share in percentage points (B − A). */
  selfDeltaPoints: number[];
  /** Per box, the function shown (-1 for the root and folded boxes). */
  functions: number[];
  /** The largest |Δ self| of a box, which gets the full colour. */
  maxPoints: number;
  /** From most slower to most faster, through neutral. */
  legend: IDiffLegendEntry[];
  /** What the colours and widths mean, plain text. */
  note: string;
  /** Levels of boxes drawn at once, the root's included (for the plot's height). */
  levels: number;
}

/** The flame graph of a comparison, or null when the Diff JSON has no tree. */
export function buildDiffFlame(
  diff: IDiffJSON,
  colors: IDiffFlameColors = FALLBACK_DIFF_FLAME_COLORS
): IDiffFlameView | null {
  const tree = diff.tree;
  if (!tree || tree.parent.length === 0) {
    return null;
  }
  const samplesA = diff.a.samples;
  const samplesB = diff.b.samples;
  const share = (count: number, samples: number) => (samples > 0 ? (100 * count) / samples : 0);
  const selfDeltaPoints = tree.parent.map((_, n) => share(tree.selfB[n], samplesB) - share(tree.selfA[n], samplesA));
  const maxPoints = selfDeltaPoints.reduce((max, d) => Math.max(max, Math.abs(d)), 0);
  const trace: IDiffIcicleTrace = {
    type: 'icicle',
    ids: tree.parent.map((_, n) => `n${n}`),
    parents: tree.parent.map(p => (p < 0 ? '' : `n${p}`)),
    values: tree.parent.map((_, n) => width(tree, n, samplesA, samplesB)),
    labels: tree.parent.map((_, n) => escapePlotlyText(boxName(diff, tree, n))),
    hovertext: tree.parent.map((_, n) => hoverText(diff, tree, n)),
    hoverinfo: 'text',
    textinfo: 'label',
    branchvalues: 'total',
    sort: false,
    tiling: { orientation: 'v' },
    marker: { colors: selfDeltaPoints.map(d => deltaColor(d, maxPoints, colors)), line: { width: 1 } },
    maxdepth: Math.min(MAX_LEVELS, levelsOf(tree.parent))
  };
  return {
    trace,
    selfDeltaPoints,
    functions: [...tree.fn],
    maxPoints,
    legend: legendOf(maxPoints, colors),
    levels: trace.maxdepth,
    note:
      `Colour: change of self share, B − A in percentage points of each profile's own samples ` +
      `(A ${formatCount(samplesA)} samples, B ${formatCount(samplesB)}); red: larger in B (slower), ` +
      `blue: smaller (faster), grey: within ±${NEUTRAL_POINTS} pp. Width: the mean of the two total shares.`
  };
}

/** The colour of a change of `points`, the strongest at ±`maxPoints`. */
export function deltaColor(points: number, maxPoints: number, colors: IDiffFlameColors): string {
  if (Math.abs(points) < NEUTRAL_POINTS || maxPoints <= 0) {
    return colors.neutral;
  }
  const strength = MIN_TINT + (1 - MIN_TINT) * Math.min(1, Math.abs(points) / maxPoints);
  return mix(colors.neutral, points > 0 ? colors.slower : colors.faster, strength);
}

/** Mean of the two total shares as an exact integer: totalA·samplesB + totalB·samplesA. */
function width(tree: IDiffTree, n: number, samplesA: number, samplesB: number): number {
  if (samplesA === 0 || samplesB === 0) {
    return tree.totalA[n] + tree.totalB[n]; // one side empty: the other's counts
  }
  return tree.totalA[n] * samplesB + tree.totalB[n] * samplesA;
}

function boxName(diff: IDiffJSON, tree: IDiffTree, n: number): string {
  if (tree.parent[n] < 0) {
    return 'all samples';
  }
  const fn = tree.fn[n];
  return fn < 0 ? 'smaller frames' : functionLabel(diff.functions[fn]);
}

function hoverText(diff: IDiffJSON, tree: IDiffTree, n: number): string {
  const f: IFunctionDiff | undefined = diff.functions[tree.fn[n]];
  const where = f ? `${f.file ? baseName(f.file) : 'unknown file'} · ${kindLabel(f.kind)}` : '';
  const row = (what: string, a: number, b: number) => {
    const pa = diff.a.samples > 0 ? (100 * a) / diff.a.samples : 0;
    const pb = diff.b.samples > 0 ? (100 * b) / diff.b.samples : 0;
    return (
      `${what}: A ${formatPercent(pa)} (${formatCount(a)} samples) → ` +
      `B ${formatPercent(pb)} (${formatCount(b)} samples), Δ ${signedPoints(pb - pa)}`
    );
  };
  return [
    `<b>${escapePlotlyText(boxName(diff, tree, n))}</b>`,
    ...(where ? [escapePlotlyText(where)] : []),
    row('self', tree.selfA[n], tree.selfB[n]),
    row('total', tree.totalA[n], tree.totalB[n])
  ].join('<br>');
}

function levelsOf(parent: readonly number[]): number {
  // Parents come before children, so one pass gives every depth.
  const depth = new Int32Array(parent.length);
  let deepest = 0;
  parent.forEach((p, n) => {
    depth[n] = p < 0 ? 1 : depth[p] + 1;
    deepest = Math.max(deepest, depth[n]);
  });
  return deepest;
}

/** `+1.23 pp`, `−0.40 pp`, `0.00 pp`: two decimals, the sign as a minus sign. */
export function signedPoints(points: number): string {
  const text = Math.abs(points).toFixed(2);
  if (Number(text) === 0) {
    return '0.00 pp';
  }
  return `${points > 0 ? '+' : '−'}${text} pp`;
}

function legendOf(maxPoints: number, colors: IDiffFlameColors): IDiffLegendEntry[] {
  if (maxPoints < NEUTRAL_POINTS) {
    return [{ points: 0, color: colors.neutral, text: 'no change of self share anywhere' }];
  }
  const entry = (points: number): IDiffLegendEntry => ({
    points,
    color: deltaColor(points, maxPoints, colors),
    text: points === 0 ? 'unchanged' : `${signedPoints(points)} ${points > 0 ? 'slower' : 'faster'}`
  });
  return [entry(maxPoints), entry(maxPoints / 2), entry(0), entry(-maxPoints / 2), entry(-maxPoints)];
}

/** `from` blended toward `to` by `t` in [0, 1], as `#rrggbb`; `to` as is if a colour cannot be read. */
export function mix(from: string, to: string, t: number): string {
  const a = parseColor(from);
  const b = parseColor(to);
  if (!a || !b) {
    return to;
  }
  const channel = (i: number) => Math.round(a[i] + (b[i] - a[i]) * t);
  return `#${[0, 1, 2].map(i => channel(i).toString(16).padStart(2, '0')).join('')}`;
}

/** `#rgb`, `#rrggbb` or `rgb(r, g, b)` as [r, g, b]; null for anything else. */
export function parseColor(text: string): [number, number, number] | null {
  const s = text.trim().toLowerCase();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(s);
  if (short) {
    return [1, 2, 3].map(i => parseInt(short[i] + short[i], 16)) as [number, number, number];
  }
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(s);
  if (long) {
    return [1, 2, 3].map(i => parseInt(long[i], 16)) as [number, number, number];
  }
  const rgb = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(,\s*[\d.]+\s*)?\)$/.exec(s);
  return rgb ? ([1, 2, 3].map(i => Math.min(255, Number(rgb[i]))) as [number, number, number]) : null;
}
