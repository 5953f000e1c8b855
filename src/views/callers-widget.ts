/**
 * The Callers view: the selected function and, like KCachegrind, two lists
 * of who called it and whom it called, with their samples. Clicking a row
 * moves to that function. Names are set with textContent.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import type { IGraphJSON } from '../model/graph-json';
import { element, tableHead } from './dom';
import { buildCallers, buildCallIndex, ICallIndex, ICallersView, ICallRow } from './callers';
import { baseName, formatLocation } from './format';

export class CallersView extends Widget {
  constructor() {
    super();
    this.addClass('jp-vmprof-callers-view');
  }

  /** Emitted with the frame of a clicked caller or callee. */
  get frameSelected(): ISignal<this, number> {
    return this._frameSelected;
  }

  get view(): ICallersView | null {
    return this._view;
  }

  /** Show `frame` of `graph` (a new graph rebuilds the call index). */
  render(graph: IGraphJSON, frame: number): void {
    if (graph !== this._graph) {
      this._graph = graph;
      this._index = buildCallIndex(graph);
    }
    const view = frame >= 0 ? buildCallers(graph, frame, this._index!) : null;
    this._view = view;
    if (!view) {
      this.node.replaceChildren(
        element('p', 'jp-vmprof-empty', 'Click a box of the flame graph or a row of the table to see its callers and callees.')
      );
      return;
    }
    const head = element('div', 'jp-vmprof-callers-head');
    const name = element('span', 'jp-vmprof-callers-name', view.name);
    name.title = view.location;
    const kind = element('span', 'jp-vmprof-callers-kind');
    kind.append(element('span', `jp-vmprof-swatch jp-vmprof-kind-${view.kind}`), document.createTextNode(view.kindLabel));
    const costs = element(
      'span',
      'jp-vmprof-callers-costs',
      `self ${view.selfText}${view.selfTimeText ? ' ' + view.selfTimeText : ''} · inclusive ${view.totalText}${
        view.totalTimeText ? ' ' + view.totalTimeText : ''
      } of this view`
    );
    head.append(name, element('span', 'jp-vmprof-callers-location', view.location), kind, costs);

    const lists = element('div', 'jp-vmprof-callers-lists');
    lists.append(
      this._list('Callers', 'Functions that called it; % of its inclusive samples', view.callers, 'called from nowhere recorded'),
      this._list('Callees', 'Functions it called; % of its inclusive samples', view.callees, 'calls nothing recorded (all its samples are self)')
    );
    const notes = view.notes.map(n => element('p', 'jp-vmprof-callers-note', n));
    this.node.replaceChildren(head, lists, ...notes);
  }

  private _list(title: string, tooltip: string, rows: ICallRow[], empty: string): HTMLElement {
    const box = element('section', 'jp-vmprof-callers-list');
    const heading = element('h4', 'jp-vmprof-callers-title', `${title} (${rows.length})`);
    heading.title = tooltip;
    box.appendChild(heading);
    if (rows.length === 0) {
      box.appendChild(element('p', 'jp-vmprof-empty', empty));
      return box;
    }
    const table = element('table', 'jp-vmprof-table');
    table.appendChild(tableHead(['%', 'Samples', 'Time', 'Function', 'Location']));
    const body = element('tbody');
    for (const row of rows) {
      const tr = element('tr', row.frame >= 0 ? 'jp-vmprof-row-selectable' : 'jp-vmprof-row-synthetic');
      tr.append(
        element('td', 'jp-vmprof-num', row.percentText),
        element('td', 'jp-vmprof-num', row.samplesText),
        element('td', 'jp-vmprof-num', row.timeText.replace('≈ ', ''))
      );
      const nameCell = element('td', 'jp-vmprof-name');
      if (row.kind) {
        nameCell.appendChild(element('span', `jp-vmprof-swatch jp-vmprof-kind-${row.kind}`));
      }
      const clip = element('span', 'jp-vmprof-clip', row.name);
      clip.title = row.name;
      nameCell.appendChild(clip);
      tr.appendChild(nameCell);
      const location = element('td', 'jp-vmprof-location', row.file ? formatLocation(baseName(row.file), row.line) : '');
      location.title = row.location;
      tr.appendChild(location);
      if (row.frame >= 0) {
        tr.dataset.frame = String(row.frame);
        tr.title = `Move to ${row.name}`;
        tr.tabIndex = 0;
        const go = () => this._frameSelected.emit(row.frame);
        tr.addEventListener('click', go);
        tr.addEventListener('keydown', event => {
          if (event.key === 'Enter') {
            go();
          }
        });
      }
      body.appendChild(tr);
    }
    table.appendChild(body);
    box.appendChild(table);
    return box;
  }

  private _graph: IGraphJSON | null = null;
  private _index: ICallIndex | null = null;
  private _view: ICallersView | null = null;
  private _frameSelected = new Signal<this, number>(this);
}
