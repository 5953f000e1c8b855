/**
 * Sorting and filtering of the top-functions table: pure, no DOM.
 *
 * The synthetic rows ("N other functions", "hidden by the filter", "no
 * frame") always stay at the bottom, whatever the order, because they are
 * sums and not functions.
 */
import type { FrameKind, IGraphJSON } from '../model/graph-json';
import { frameOrigin } from './origin';
import type { ITableRow } from './table';

export type TableSortKey = 'self' | 'samples' | 'time' | 'total' | 'name' | 'location' | 'kind';

export interface ITableSort {
  key: TableSortKey;
  descending: boolean;
}

export const DEFAULT_TABLE_SORT: Readonly<ITableSort> = Object.freeze({ key: 'self', descending: true });

const TEXT_KEYS: ReadonlySet<TableSortKey> = new Set(['name', 'location', 'kind']);

/**
 * The sort after a click on a column's header: the same column flips its
 * direction; another column starts heaviest first (numbers) or A to Z (text).
 */
export function nextSort(current: ITableSort, key: TableSortKey): ITableSort {
  if (current.key === key) {
    return { key, descending: !current.descending };
  }
  return { key, descending: !TEXT_KEYS.has(key) };
}

function compareRows(a: ITableRow, b: ITableRow, key: TableSortKey): number {
  switch (key) {
    case 'self':
    case 'samples':
    case 'time':
      return a.self - b.self;
    case 'total':
      return (a.total ?? -1) - (b.total ?? -1);
    case 'name':
      return a.name.localeCompare(b.name);
    case 'location':
      return a.file.localeCompare(b.file) || a.line - b.line;
    case 'kind':
      return a.kindLabel.localeCompare(b.kindLabel);
  }
}

/** The rows in `sort` order (stable: ties keep the heaviest-self order). */
export function sortRows(rows: readonly ITableRow[], sort: ITableSort): ITableRow[] {
  const functions = rows.filter(r => r.frame >= 0);
  const synthetic = rows.filter(r => r.frame < 0);
  const sign = sort.descending ? -1 : 1;
  const sorted = functions
    .map((row, position) => ({ row, position }))
    .sort((a, b) => sign * compareRows(a.row, b.row, sort.key) || a.position - b.position)
    .map(({ row }) => row);
  return [...sorted, ...synthetic];
}

export interface ITableFilter {
  /** Only frames of this kind; null for every kind. */
  kind: FrameKind | null;
  /** Only the user's code (origin.ts): Python outside the libraries, and JIT. */
  myCode: boolean;
}

export const NO_TABLE_FILTER: Readonly<ITableFilter> = Object.freeze({ kind: null, myCode: false });

/** The frame test for buildTable's `include`, or undefined when nothing is filtered. */
export function frameFilter(graph: IGraphJSON, filter: ITableFilter): ((frame: number) => boolean) | undefined {
  if (!filter.kind && !filter.myCode) {
    return undefined;
  }
  return index => {
    const frame = graph.frames[index];
    return (
      !!frame &&
      (!filter.kind || frame.kind === filter.kind) &&
      (!filter.myCode || frameOrigin(frame).mine)
    );
  };
}

/** The kinds present among the graph's sampled frames, for the kind chooser. */
export function presentKinds(graph: IGraphJSON): FrameKind[] {
  const kinds = new Set<FrameKind>();
  for (const frame of graph.frames) {
    if (frame.self > 0 || frame.total > 0) {
      kinds.add(frame.kind);
    }
  }
  return (['python', 'native', 'jit', 'interpreter', 'unknown'] as FrameKind[]).filter(k => kinds.has(k));
}
