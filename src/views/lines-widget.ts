/**
 * The Lines view: per-line costs of the selected function (lines-mode
 * profiles) as bars and a table; else the message saying why there are none.
 */
import type { IGraphJSON } from '../model/graph-json';
import { ChartView, IChart } from './chart-widget';
import { cssVariable, element } from './dom';
import { buildLines, ILinesView, LINES_NOT_RECORDED_MESSAGE, SOURCE_NOT_READABLE_MESSAGE } from './lines';

export class LinesView extends ChartView {
  constructor() {
    super('jp-vmprof-lines-view');
  }

  get view(): ILinesView | null {
    return this._view;
  }

  render(graph: IGraphJSON, frame: number): void {
    const look = (name: string) => cssVariable(this.node, name);
    const view = frame >= 0 ? buildLines(graph, frame, {
      totalColor: look('--jp-vmprof-kind-python') || undefined,
      selfColor: look('--jp-vmprof-kind-native') || undefined
    }) : null;
    this._view = view;
    let text = '';
    if (!graph.lines) {
      text = LINES_NOT_RECORDED_MESSAGE;
    } else if (!view) {
      text = 'Click a box of the flame graph or a row of the table to see its lines.';
    } else {
      text = view.message;
    }
    this.message.textContent = text;
    this.message.hidden = !text;
    if (view) {
      const name = element('span', 'jp-vmprof-callers-name', view.name);
      name.title = view.location;
      this.header.replaceChildren(
        name,
        element('span', 'jp-vmprof-callers-location', view.location),
        element('span', 'jp-vmprof-callers-costs', 'bars: inclusive and self samples per line; % of the function\'s inclusive samples')
      );
      const unreadable = element('div', 'jp-vmprof-lines-no-source', SOURCE_NOT_READABLE_MESSAGE);
      this.footer.replaceChildren(
        ...(view.rows.length ? [...(view.sourceReadable ? [] : [unreadable]), this._table(view)] : [])
      );
    } else {
      this.header.replaceChildren();
      this.footer.replaceChildren();
    }
    void this.redraw();
  }

  protected chart(): IChart | null {
    const view = this._view;
    if (!view || view.rows.length === 0) {
      return null;
    }
    return {
      traces: view.traces,
      layout: { ...view.layout, showlegend: true, margin: { l: 70, r: 20, t: 8, b: 40 } },
      height: Math.min(480, 80 + 22 * view.rows.length)
    };
  }

  private _table(view: ILinesView): HTMLElement {
    const table = element('table', 'jp-vmprof-table');
    const headRow = element('tr');
    for (const label of ['Line', 'Inclusive %', 'Inclusive samples', 'Self %', 'Self samples', 'Self time', 'Source']) {
      headRow.appendChild(element('th', '', label));
    }
    table.appendChild(element('thead')).appendChild(headRow);
    const body = element('tbody');
    for (const row of view.rows) {
      const tr = element('tr');
      for (const text of [String(row.line), row.totalText, row.totalSamplesText, row.selfText, row.selfSamplesText, row.selfTimeText.replace('≈ ', '')]) {
        tr.appendChild(element('td', 'jp-vmprof-num', text));
      }
      // textContent only: source text is never markup.
      tr.appendChild(element('td', 'jp-vmprof-lines-source', row.source));
      body.appendChild(tr);
    }
    table.appendChild(body);
    return table;
  }

  private _view: ILinesView | null = null;
}
