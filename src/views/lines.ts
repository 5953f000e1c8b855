/**
 * Per-line costs of one function (lines-mode profiles): rows for a table
 * and horizontal bars for plotly. Pure: no DOM, no plotly import.
 *
 * From the contract (src/model/graph-json.ts, IGraphLineCosts): a line's
 * self is the samples whose innermost Python frame is this function at this
 * line (C code the line calls counts as the line's own, as line_profiler
 * counts it); its total the samples with (function, line) anywhere on the
 * stack, once per sample. So the lines' self samples add up to at least the
 * function's self (more in native mode), while their totals may add up to more than the function's inclusive (a
 * recursive call sits on another line of the same function) — percentages
 * are of the function's inclusive and are never rescaled.
 */
import type { IGraphJSON } from '../model/graph-json';
import {
  escapePlotlyText,
  formatCount,
  formatEstimatedTime,
  formatLocation,
  formatPercent
} from './format';

/** What the widget shows when the profile has no line data at all. */
export const LINES_NOT_RECORDED_MESSAGE = 'lines were not recorded: use %%vmprof --lines';

/** What the widget shows when lines were recorded but not for this function. */
export const NO_LINES_FOR_FRAME_MESSAGE =
  'no line data for this function: only Python functions carry line numbers';

/** What the table says when the converter could not read the function's file. */
export const SOURCE_NOT_READABLE_MESSAGE =
  'source text not shown: the file could not be read when the profile was converted';

export interface ILineRow {
  line: number;
  /** The line's source text, '' when the file was not readable. */
  source: string;
  self: number;
  total: number;
  /** Of the function's inclusive samples. */
  selfPercent: number;
  totalPercent: number;
  selfText: string;
  totalText: string;
  selfSamplesText: string;
  totalSamplesText: string;
  /** Estimated from the measured time per sample, '' when none was measured. */
  selfTimeText: string;
  totalTimeText: string;
}

/** A horizontal bar trace: one bar per line, lines on the (category) y axis. */
export interface ILineBarTrace {
  type: 'bar';
  orientation: 'h';
  name: string;
  /** Samples. */
  x: number[];
  /** `line 12`, in row order. */
  y: string[];
  hovertext: string[];
  hoverinfo: 'text';
  marker: { color?: string };
}

export interface ILineLayout {
  /** Self bars drawn over the inclusive bars of the same line (self ≤ inclusive). */
  barmode: 'overlay';
  xaxis: { title: { text: string }; rangemode: 'tozero' };
  /** Lines top to bottom as in the source. */
  yaxis: { type: 'category'; autorange: 'reversed'; title: { text: string } };
}

export interface ILinesView {
  frame: number;
  name: string;
  location: string;
  /** The function's inclusive and self samples, which the percentages are of. */
  functionTotal: number;
  functionSelf: number;
  /** By line, ascending. Empty when this function has no line data. */
  rows: ILineRow[];
  /** [inclusive, self] bars, or [] when there are no rows. */
  traces: ILineBarTrace[];
  layout: ILineLayout;
  /** Why there are no rows, '' when there are. */
  message: string;
  /** Whether the rows carry source text (the converter read the file). */
  sourceReadable: boolean;
}

export interface ILinesOptions {
  /** Bar colours; plotly's colorway if absent. */
  totalColor?: string;
  selfColor?: string;
}

/** Whether the profile's Graph JSON holds any per-line costs. */
export function linesRecorded(graph: IGraphJSON): boolean {
  return graph.lines !== undefined && graph.lines !== null;
}

/**
 * The per-line view of `frame`, or null when the profile has no line data
 * (show LINES_NOT_RECORDED_MESSAGE) or there is no such frame.
 */
export function buildLines(
  graph: IGraphJSON,
  frame: number,
  options: ILinesOptions = {}
): ILinesView | null {
  const f = graph.frames[frame];
  if (!linesRecorded(graph) || !Number.isInteger(frame) || !f) {
    return null;
  }
  const costs = graph.lines![String(frame)];
  const source = graph.sources?.[String(frame)];
  const sourceText = (line: number): string => {
    const text = source ? source.text[line - source.first] : undefined;
    return text === undefined ? '' : text;
  };
  const secondsPerSample = graph.profile.secondsPerSample;
  const ofFunction = (samples: number) => (f.total > 0 ? (samples / f.total) * 100 : 0);

  const rows: ILineRow[] = [];
  if (costs) {
    costs.line.forEach((line, i) => {
      const self = costs.self[i] ?? 0;
      const total = costs.total[i] ?? 0;
      rows.push({
        line,
        source: sourceText(line),
        self,
        total,
        selfPercent: ofFunction(self),
        totalPercent: ofFunction(total),
        selfText: formatPercent(ofFunction(self)),
        totalText: formatPercent(ofFunction(total)),
        selfSamplesText: formatCount(self),
        totalSamplesText: formatCount(total),
        selfTimeText: formatEstimatedTime(self, secondsPerSample),
        totalTimeText: formatEstimatedTime(total, secondsPerSample)
      });
    });
    rows.sort((a, b) => a.line - b.line);
  }

  const name = escapePlotlyText(f.name);
  const labels = rows.map(r => `line ${r.line}`);
  const hovertext = rows.map(r => {
    const lines = [
      `<b>${name}</b>, line ${r.line}`,
      `inclusive: ${r.totalSamplesText} samples (${r.totalText} of the function)${
        r.totalTimeText ? ' ' + r.totalTimeText : ''
      }`,
      `self: ${r.selfSamplesText} samples (${r.selfText} of the function)${
        r.selfTimeText ? ' ' + r.selfTimeText : ''
      }`
    ];
    return lines.join('<br>');
  });
  const bar = (what: string, x: number[], color: string | undefined): ILineBarTrace => ({
    type: 'bar',
    orientation: 'h',
    name: what,
    x,
    y: labels,
    hovertext,
    hoverinfo: 'text',
    marker: color ? { color } : {}
  });
  const traces =
    rows.length > 0
      ? [
          bar('inclusive', rows.map(r => r.total), options.totalColor),
          bar('self', rows.map(r => r.self), options.selfColor)
        ]
      : [];

  return {
    frame,
    name: f.name,
    location: formatLocation(f.file, f.line),
    functionTotal: f.total,
    functionSelf: f.self,
    rows,
    traces,
    layout: {
      barmode: 'overlay',
      xaxis: { title: { text: 'samples' }, rangemode: 'tozero' },
      yaxis: { type: 'category', autorange: 'reversed', title: { text: 'line' } }
    },
    message: rows.length > 0 ? '' : NO_LINES_FOR_FRAME_MESSAGE,
    sourceReadable: source !== undefined
  };
}
