/**
 * The top-functions table as real DOM table elements. Names are set with
 * textContent, so a function called `<img src=x onerror=…>` shows as those
 * characters. Every column sorts on a click of its header; a kind chooser
 * and a "My code" switch filter the rows. The sort and the filters live in
 * the widget, so a new search or thread keeps them.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import type { FrameKind, IGraphJSON } from '../model/graph-json';
import { element } from './dom';
import { baseName, formatCount, formatLocation } from './format';
import { kindLabel } from './kinds';
import { buildTable, ITableRow, ITableView } from './table';
import {
  DEFAULT_TABLE_SORT,
  frameFilter,
  ITableFilter,
  ITableSort,
  nextSort,
  presentKinds,
  sortRows,
  TableSortKey
} from './table-sort';

export class TableView extends Widget {
  constructor() {
    super();
    this.addClass('jp-vmprof-table-view');
    const controls = element('div', 'jp-vmprof-table-controls');
    this._kind.className = 'jp-vmprof-table-kind';
    this._kind.setAttribute('aria-label', 'Kind of frame');
    this._kind.title = 'Show only the functions of one kind';
    this._kind.addEventListener('change', () => {
      this._filter = { ...this._filter, kind: (this._kind.value || null) as FrameKind | null };
      this._rerender();
    });
    this._myCode.type = 'checkbox';
    this._myCode.className = 'jp-vmprof-table-mycode';
    this._myCode.addEventListener('change', () => {
      this._filter = { ...this._filter, myCode: this._myCode.checked };
      this._rerender();
    });
    const myCodeLabel = element('label', 'jp-vmprof-table-mycode-label');
    myCodeLabel.title = 'Only your code: no standard library, site-packages, IPython, interpreter or native library';
    myCodeLabel.append(this._myCode, document.createTextNode(' My code only'));
    controls.append(this._kind, myCodeLabel);
    this._tableHost = element('div', 'jp-vmprof-table-host');
    this.node.append(controls, this._tableHost);
  }

  /** The current sort, for tests. */
  get sort(): Readonly<ITableSort> {
    return this._sort;
  }

  /** The last table built, for tests and the toolbar. */
  get view(): ITableView | null {
    return this._view;
  }

  /** Emitted with the frame (graph.frames index) of a clicked row. */
  get frameSelected(): ISignal<this, number> {
    return this._frameSelected;
  }

  /** Rows shown after the search filter, for tests and the status line. */
  get shownRows(): number {
    return this._shownRows;
  }

  /**
   * Draw the table; with `filter`, only the rows it accepts (the search).
   * `selected` marks the row of that frame.
   */
  render(
    graph: IGraphJSON,
    maxRows: number,
    filter: ((row: ITableRow) => boolean) | null = null,
    selected = -1
  ): void {
    this._last = { graph, maxRows, filter, selected };
    this._renderKinds(graph);
    const view = buildTable(graph, { maxRows, include: frameFilter(graph, this._filter) });
    this._view = view;
    const withTime = graph.profile.secondsPerSample !== null;

    const table = element('table', 'jp-vmprof-table');
    const caption = element(
      'caption',
      'jp-vmprof-table-caption',
      `Functions sorted by ${SORT_NAMES[this._sort.key]} (${
        this._sort.descending ? 'descending' : 'ascending'
      }); self % adds up to 100% of ${formatCount(view.viewTotal)} samples.`
    );
    table.appendChild(caption);

    const headers: [TableSortKey, string, string][] = [
      ['self', 'Self %', 'Share of the samples in which this function was running itself'],
      ['samples', 'Self samples', 'Samples in which this function was the innermost frame'],
      ...(withTime
        ? ([['time', 'Self time', 'Estimated from the measured time per sample']] as [TableSortKey, string, string][])
        : []),
      ['total', 'Inclusive %', 'Share of the samples in which this function was on the stack'],
      ['name', 'Function', ''],
      ['location', 'Location', 'file:line'],
      ['kind', 'Kind', 'Python, native, JIT (Numba), interpreter or unknown']
    ];
    table.appendChild(this._head(headers));

    const body = element('tbody');
    const sorted = sortRows(view.rows, this._sort);
    const rows = filter ? sorted.filter(filter) : sorted;
    this._shownRows = rows.length;
    for (const row of rows) {
      const tr = element('tr', row.frame < 0 ? 'jp-vmprof-row-synthetic' : 'jp-vmprof-row-selectable');
      if (row.frame >= 0) {
        tr.dataset.frame = String(row.frame);
        tr.title = 'Click to show its callers and callees';
        tr.addEventListener('click', () => this._frameSelected.emit(row.frame));
        if (row.frame === selected) {
          tr.classList.add('jp-vmprof-row-selected');
          tr.setAttribute('aria-selected', 'true');
        }
      }
      tr.appendChild(element('td', 'jp-vmprof-num', row.selfText));
      tr.appendChild(element('td', 'jp-vmprof-num', row.selfSamplesText));
      if (withTime) {
        // No time for no samples: "0 s" would read as a measurement.
        const time = row.self > 0 ? row.selfTimeText.replace('≈ ', '') : '';
        tr.appendChild(element('td', 'jp-vmprof-num', time));
      }
      tr.appendChild(element('td', 'jp-vmprof-num jp-vmprof-total', row.totalText));
      tr.appendChild(clippedCell('jp-vmprof-name', row.name, row.name));
      // The file's base name keeps the column narrow; the full path is in the tooltip.
      tr.appendChild(
        clippedCell(
          'jp-vmprof-location',
          row.file ? formatLocation(baseName(row.file), row.line) : '',
          row.location
        )
      );
      const kind = element('td', 'jp-vmprof-kind');
      if (row.kind) {
        kind.appendChild(element('span', `jp-vmprof-swatch jp-vmprof-kind-${row.kind}`));
        kind.appendChild(document.createTextNode(row.kindLabel));
      }
      tr.appendChild(kind);
      body.appendChild(tr);
    }
    table.appendChild(body);
    if ((filter || this._filter.kind || this._filter.myCode) && !rows.some(r => r.frame >= 0)) {
      const empty = element('tr');
      const cell = element(
        'td',
        'jp-vmprof-empty',
        filter ? 'No function matches the search.' : 'No function passes the filter.'
      );
      cell.colSpan = headers.length;
      empty.appendChild(cell);
      body.appendChild(empty);
    }

    this._tableHost.replaceChildren(table);
  }

  /** Header cells that sort on click (and on Enter or Space, for the keyboard). */
  private _head(headers: [TableSortKey, string, string][]): HTMLTableSectionElement {
    const head = element('thead');
    const row = head.appendChild(element('tr'));
    for (const [key, label, title] of headers) {
      const th = row.appendChild(element('th', 'jp-vmprof-sortable', label));
      th.scope = 'col';
      th.dataset.sort = key;
      th.tabIndex = 0;
      th.title = `${title ? title + '. ' : ''}Click to sort by this column`;
      const current = this._sort.key === key;
      th.setAttribute('aria-sort', current ? (this._sort.descending ? 'descending' : 'ascending') : 'none');
      if (current) {
        th.appendChild(element('span', 'jp-vmprof-sort-arrow', this._sort.descending ? ' ▼' : ' ▲'));
      }
      const sortBy = () => {
        this._sort = nextSort(this._sort, key);
        this._rerender();
      };
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          sortBy();
        }
      });
    }
    return head;
  }

  /** The kind chooser holds the kinds this graph has, keeping the choice. */
  private _renderKinds(graph: IGraphJSON): void {
    const kinds = presentKinds(graph);
    if (this._filter.kind && !kinds.includes(this._filter.kind)) {
      kinds.push(this._filter.kind);
    }
    const all = element('option', '', 'All kinds');
    all.value = '';
    this._kind.replaceChildren(
      all,
      ...kinds.map(kind => {
        const option = element('option', '', kindLabel(kind));
        option.value = kind;
        return option;
      })
    );
    this._kind.value = this._filter.kind ?? '';
  }

  private _rerender(): void {
    const last = this._last;
    if (last) {
      this.render(last.graph, last.maxRows, last.filter, last.selected);
    }
  }

  private _sort: ITableSort = { ...DEFAULT_TABLE_SORT };
  private _filter: ITableFilter = { kind: null, myCode: false };
  private _kind = element('select');
  private _myCode = element('input');
  private _tableHost: HTMLElement;
  private _last: {
    graph: IGraphJSON;
    maxRows: number;
    filter: ((row: ITableRow) => boolean) | null;
    selected: number;
  } | null = null;
  private _view: ITableView | null = null;
  private _shownRows = 0;
  private _frameSelected = new Signal<this, number>(this);
}

const SORT_NAMES: Record<TableSortKey, string> = {
  self: 'self samples',
  samples: 'self samples',
  time: 'self time',
  total: 'inclusive samples',
  name: 'name',
  location: 'location',
  kind: 'kind'
};

/**
 * A cell whose text is cut with an ellipsis past a CSS width (table cells
 * ignore max-width, a block inside them does not); the full text is the
 * tooltip.
 */
function clippedCell(className: string, text: string, title: string): HTMLTableCellElement {
  const cell = element('td', className);
  const clip = element('div', 'jp-vmprof-clip', text);
  clip.title = title;
  cell.appendChild(clip);
  return cell;
}
