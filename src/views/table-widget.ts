/**
 * The top-functions table as real DOM table elements. Names are set with
 * textContent, so a function called `<img src=x onerror=…>` shows as those
 * characters.
 */
import { Widget } from '@lumino/widgets';

import type { IGraphJSON } from '../model/graph-json';
import { element } from './dom';
import { baseName, formatCount, formatLocation } from './format';
import { buildTable, ITableView } from './table';

export class TableView extends Widget {
  constructor() {
    super();
    this.addClass('jp-vmprof-table-view');
  }

  /** The last table built, for tests and the toolbar. */
  get view(): ITableView | null {
    return this._view;
  }

  render(graph: IGraphJSON, maxRows: number): void {
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

    const head = element('thead');
    const headRow = element('tr');
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
    for (const [label, title] of headers) {
      const th = element('th', '', label);
      th.scope = 'col';
      if (title) {
        th.title = title;
      }
      headRow.appendChild(th);
    }
    head.appendChild(headRow);
    table.appendChild(head);

    const body = element('tbody');
    for (const row of view.rows) {
      const tr = element('tr', row.frame < 0 ? 'jp-vmprof-row-synthetic' : '');
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

    this.node.replaceChildren(table);
  }

  private _view: ITableView | null = null;
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
