/**
 * The comparison of two profiles (Diff JSON: model/diff-json.ts): table
 * rows and the bar chart of the largest self deltas. Pure: no DOM, no
 * plotly. Names stay raw text in the rows (the widget sets them with
 * textContent); only the chart's labels, which plotly reads as a small HTML
 * subset, are escaped.
 *
 * Deltas are B − A in percentage points of each profile's own samples, so a
 * positive delta ("up") means the function takes a larger share of B.
 */
import type { FrameKind } from '../model/graph-json';
import type { IDiffJSON, IFunctionDiff } from '../model/diff-json';
import { baseName, escapePlotlyText, formatCount, formatPercent } from './format';
import { kindLabel } from './kinds';

export type Direction = 'up' | 'down' | 'same';

export interface IDiffRow {
  /** As shown: `library:symbol` for native code (functionLabel), else the name. */
  name: string;
  file: string;
  kind: FrameKind;
  kindLabel: string;
  /** `file:line`, `file:12→15` when the first line moved, '' when unknown. */
  location: string;
  /** The same with the file's base name, for the narrow column. */
  shortLocation: string;
  /** Percentages of each profile's samples, and B − A in percentage points. */
  selfA: number;
  selfB: number;
  selfDelta: number;
  totalA: number;
  totalB: number;
  totalDelta: number;
  selfAText: string;
  selfBText: string;
  selfDeltaText: string;
  totalAText: string;
  totalBText: string;
  totalDeltaText: string;
  selfDirection: Direction;
  totalDirection: Direction;
  /** Absent from one profile: shown as "–" there rather than 0.0%. */
  inA: boolean;
  inB: boolean;
}

export interface IDiffView {
  /** At most `maxRows` of the matching functions, largest |Δ self| first. */
  rows: IDiffRow[];
  /** Functions matching the filter (rows may be fewer). */
  matching: number;
  /** Functions in the comparison. */
  total: number;
  samplesA: number;
  samplesB: number;
}

export interface IDiffOptions {
  /** Words that must all appear in the name, file or kind (case-insensitive). */
  filter?: string;
  maxRows?: number;
}

/** Rows beyond this are left out: the DOM table stays quick on huge profiles. */
export const DEFAULT_MAX_ROWS = 500;

export function buildDiffRows(diff: IDiffJSON, options: IDiffOptions = {}): IDiffView {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const words = (options.filter ?? '').toLowerCase().split(/\s+/).filter(w => w);
  const matching = sortByDelta(diff.functions).filter(f => {
    if (words.length === 0) {
      return true;
    }
    const haystack = `${functionLabel(f)}\n${f.file}\n${kindLabel(f.kind)}`.toLowerCase();
    return words.every(word => haystack.includes(word));
  });
  return {
    rows: matching.slice(0, maxRows).map(diffRow),
    matching: matching.length,
    total: diff.functions.length,
    samplesA: diff.a.samples,
    samplesB: diff.b.samples
  };
}

/** Colours of the bars, resolved from theme variables by the widget. */
export interface IDiffColors {
  up: string;
  down: string;
}

export const FALLBACK_DIFF_COLORS: Readonly<IDiffColors> = Object.freeze({
  up: '#d32f2f',
  down: '#1976d2'
});

/** A horizontal plotly bar trace, one bar per function, largest |Δ| on top. */
export interface IDiffBarTrace {
  type: 'bar';
  orientation: 'h';
  /** Δ self in percentage points. */
  x: number[];
  /** Bar positions 0..n-1; names go in `ticktext` so equal names stay two bars. */
  y: number[];
  ticktext: string[];
  marker: { color: string[] };
  hovertext: string[];
  hoverinfo: 'text';
}

export function buildDiffTrace(
  diff: IDiffJSON,
  options: { top?: number; colors?: IDiffColors } = {}
): IDiffBarTrace {
  const top = options.top ?? 20;
  const colors = options.colors ?? FALLBACK_DIFF_COLORS;
  const trace: IDiffBarTrace = {
    type: 'bar',
    orientation: 'h',
    x: [],
    y: [],
    ticktext: [],
    marker: { color: [] },
    hovertext: [],
    hoverinfo: 'text'
  };
  // A function with no self delta has no bar to show.
  const shown = sortByDelta(diff.functions)
    .filter(f => f.selfDelta !== 0)
    .slice(0, top)
    .map(diffRow);
  shown.forEach((row, i) => {
    trace.x.push(row.selfDelta);
    trace.y.push(i);
    trace.ticktext.push(escapePlotlyText(clip(row.name, 40)));
    trace.marker.color.push(row.selfDelta > 0 ? colors.up : colors.down);
    trace.hovertext.push(
      [
        `<b>${escapePlotlyText(row.name)}</b>`,
        escapePlotlyText(`${row.location || 'unknown location'} · ${row.kindLabel}`),
        escapePlotlyText(`self ${row.selfAText} → ${row.selfBText} (${row.selfDeltaText} pp)`),
        escapePlotlyText(`total ${row.totalAText} → ${row.totalBText} (${row.totalDeltaText} pp)`)
      ].join('<br>')
    );
  });
  return trace;
}

/** A signed change in percentage points, one decimal; a tiny change is not shown as 0. */
export function formatDelta(points: number): string {
  if (points === 0) {
    return '0.0';
  }
  const sign = points > 0 ? '+' : '−';
  const size = Math.abs(points);
  return size < 0.05 ? `${sign}<0.1` : `${sign}${size.toFixed(1)}`;
}

/** One line saying what is compared, for the widget's header. */
export function diffSummary(view: IDiffView, nameA: string, nameB: string): string {
  return (
    `A: ${nameA} (${formatCount(view.samplesA)} samples) · B: ${nameB} ` +
    `(${formatCount(view.samplesB)} samples) · Δ = B − A in percentage points of each profile's samples`
  );
}

/**
 * A function as the comparison shows it: native code as `library:symbol`
 * (`libopenblas.so.0:dgemm_kernel`), the key it was matched on, so the
 * rows of two processes read the same; other code by its name.
 */
export function functionLabel(f: IFunctionDiff): string {
  return f.library ? `${f.library}:${f.name}` : f.name;
}

function diffRow(f: IFunctionDiff): IDiffRow {
  const lines =
    f.lineA !== null && f.lineB !== null && f.lineA !== f.lineB
      ? `${f.lineA}→${f.lineB}`
      : String(f.lineA ?? f.lineB ?? 0);
  // Line 0 is "unknown" (native frames), as formatLocation has it.
  const locate = (file: string) => (!file ? '' : lines === '0' ? file : `${file}:${lines}`);
  const inA = f.lineA !== null;
  const inB = f.lineB !== null;
  const pct = (fraction: number) => fraction * 100;
  const row = {
    selfA: pct(f.selfFractionA),
    selfB: pct(f.selfFractionB),
    selfDelta: pct(f.selfDelta),
    totalA: pct(f.totalFractionA),
    totalB: pct(f.totalFractionB),
    totalDelta: pct(f.totalDelta)
  };
  return {
    name: functionLabel(f),
    file: f.file,
    kind: f.kind,
    kindLabel: kindLabel(f.kind),
    location: locate(f.file),
    shortLocation: locate(baseName(f.file)),
    ...row,
    selfAText: inA ? formatPercent(row.selfA) : '–',
    selfBText: inB ? formatPercent(row.selfB) : '–',
    selfDeltaText: formatDelta(row.selfDelta),
    totalAText: inA ? formatPercent(row.totalA) : '–',
    totalBText: inB ? formatPercent(row.totalB) : '–',
    totalDeltaText: formatDelta(row.totalDelta),
    selfDirection: direction(f.selfDelta),
    totalDirection: direction(f.totalDelta),
    inA,
    inB
  };
}

function direction(delta: number): Direction {
  return delta > 0 ? 'up' : delta < 0 ? 'down' : 'same';
}

/**
 * By |Δ self|, then |Δ total|, descending, as the converter sorts; done
 * again here so the views do not depend on the order they were sent in.
 * Array.prototype.sort is stable, so ties keep the converter's order.
 */
function sortByDelta(functions: readonly IFunctionDiff[]): IFunctionDiff[] {
  return [...functions].sort(
    (x, y) =>
      Math.abs(y.selfDelta) - Math.abs(x.selfDelta) ||
      Math.abs(y.totalDelta) - Math.abs(x.totalDelta)
  );
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
