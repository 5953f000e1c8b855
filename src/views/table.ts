/**
 * Top-functions table builder: pure, no DOM.
 *
 * One row per frame, sorted by self samples. Self percentages are of the
 * view's samples and add up to exactly 100%: samples whose stack had no
 * frame left (all stripped) get their own row, and functions beyond
 * `maxRows` are summed into one "N other functions" row.
 */
import type { IGraphJSON } from '../model/graph-json';
import {
  formatCount,
  formatEstimatedTime,
  formatPercent,
  roundedPercents
} from './format';
import { functionColumns, type IFunctionColumns } from './kinds';

export interface ITableRow extends IFunctionColumns {
  self: number;
  /** Inclusive samples; null when not meaningful (the "other" row). */
  total: number | null;
  selfPercent: number;
  totalPercent: number | null;
  selfText: string;
  totalText: string;
  selfSamplesText: string;
  /** Estimated self time from measured time, '' when none was measured. */
  selfTimeText: string;
}

export interface ITableView {
  rows: ITableRow[];
  /** Samples the percentages are of. */
  viewTotal: number;
  /** Functions folded into the "other functions" row (0 if none). */
  otherFunctions: number;
}

export const NO_FRAME_ROW_NAME = '(no frame: interpreter or stripped)';

export function otherRowName(count: number): string {
  return count === 1 ? '1 other function' : `${formatCount(count)} other functions`;
}

export function hiddenRowName(count: number): string {
  return count === 1 ? '1 function hidden by the filter' : `${formatCount(count)} functions hidden by the filter`;
}

export interface ITableOptions {
  maxRows: number;
  /**
   * Frames (graph.frames index) to list; the others are summed into one
   * "N functions hidden by the filter" row so that self % still adds up.
   */
  include?: (frame: number) => boolean;
}

export function buildTable(graph: IGraphJSON, options: ITableOptions): ITableView {
  const viewTotal = graph.tree.total.length > 0 ? graph.tree.total[0] : graph.profile.samples;
  const secondsPerSample = graph.profile.secondsPerSample;
  const order = graph.frames
    .map((frame, index) => ({ frame, index }))
    .filter(({ frame }) => frame.self > 0 || frame.total > 0);
  const include = options.include;
  const hidden = include ? order.filter(({ index }) => !include(index)) : [];
  const listed = (include ? order.filter(({ index }) => include(index)) : order).sort(
      (a, b) =>
        b.frame.self - a.frame.self ||
        b.frame.total - a.frame.total ||
        a.index - b.index
    );

  const maxRows = Math.max(1, Math.floor(options.maxRows));
  const shown = listed.slice(0, maxRows);
  const rest = listed.slice(maxRows);

  type Partial = Omit<ITableRow, 'selfPercent' | 'selfText'>;
  const partial: Partial[] = shown.map(({ frame, index }) => ({
    ...functionColumns(index, frame),
    self: frame.self,
    total: frame.total,
    totalPercent: viewTotal > 0 ? (frame.total / viewTotal) * 100 : 0,
    totalText: formatPercent(viewTotal > 0 ? (frame.total / viewTotal) * 100 : 0),
    selfSamplesText: formatCount(frame.self),
    selfTimeText: formatEstimatedTime(frame.self, secondsPerSample)
  }));
  const synthetic = (name: string, self: number): Partial => ({
    ...functionColumns(-1, undefined, name),
    self,
    total: null,
    totalPercent: null,
    totalText: '',
    selfSamplesText: formatCount(self),
    selfTimeText: formatEstimatedTime(self, secondsPerSample)
  });
  const restSelf = rest.reduce((sum, { frame }) => sum + frame.self, 0);
  if (rest.length > 0) {
    partial.push(synthetic(otherRowName(rest.length), restSelf));
  }
  if (hidden.length > 0) {
    partial.push(synthetic(hiddenRowName(hidden.length), hidden.reduce((sum, { frame }) => sum + frame.self, 0)));
  }
  // Samples in which no frame is innermost are the root's self samples.
  const rootSelf = graph.tree.self.length > 0 ? graph.tree.self[0] : 0;
  if (rootSelf > 0) {
    partial.push(synthetic(NO_FRAME_ROW_NAME, rootSelf));
  }

  const percents = roundedPercents(
    partial.map(row => row.self),
    viewTotal
  );
  const rows = partial.map((row, i) => ({
    ...row,
    selfPercent: percents[i],
    selfText: formatPercent(percents[i])
  }));
  return { rows, viewTotal, otherFunctions: rest.length };
}
