/**
 * The top-functions table as real DOM table elements. Names are set with
 * textContent, so a function called `<img src=x onerror=…>` shows as those
 * characters.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import type { IGraphJSON } from '../model/graph-json';
import { element, tableHead } from './dom';
import { baseName, formatCount, formatLocation } from './format';
import { buildTable, ITableRow, ITableView } from './table';

export class TableView extends Widget {
  constructor() {
    super();
    this.addClass('jp-vmprof-table-view');
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
    const view = buildTable(graph, { maxRows });
    this._view = view;
    const withTime = graph.profile.secondsPerSample !== null;

    const table = element('table', 'jp-vmprof-table');
    const caption = element(
      'caption',
      'jp-vmprof-table-caption',
      `Functions by self samples; self % adds up to 100% of ${formatCount(
        view.viewTotal
      )} samples.`
    );
    table.appendChild(caption);

    const headers: [string, string][] = [
      ['Self %', 'Share of the samples in which this function was running itself'],
      ['Self samples', 'Samples in which this function was the innermost frame'],
      ...(withTime
        ? ([['Self time', 'Estimated from the measured time per sample']] as [string, string][])
        : []),
      ['Inclusive %', 'Share of the samples in which this function was on the stack'],
      ['Function', ''],
      ['Location', 'file:line'],
      ['Kind', 'Python, native, JIT (Numba), interpreter or unknown']
    ];
    table.appendChild(tableHead(headers));

    const body = element('tbody');
    const rows = filter ? view.rows.filter(filter) : view.rows;
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
      tr.appendChild(element('td', 'jp-vmprof-num', row.totalText));
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
    if (filter && rows.length === 0) {
      const empty = element('tr');
      const cell = element('td', 'jp-vmprof-empty', 'No function matches the search.');
      cell.colSpan = headers.length;
      empty.appendChild(cell);
      body.appendChild(empty);
    }

    this.node.replaceChildren(table);
  }

  private _view: ITableView | null = null;
  private _shownRows = 0;
  private _frameSelected = new Signal<this, number>(this);
}

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
