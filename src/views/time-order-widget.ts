/**
 * The time-ordered flame chart widget, under the samples-over-time chart in
 * the Timeline view. Clicking a box selects its function (the other views
 * follow); selecting a function anywhere lights up its spans here.
 */
import { ISignal, Signal } from '@lumino/signaling';
import type { PlotlyHTMLElement } from 'plotly.js';

import type { IGraphJSON } from '../model/graph-json';
import { ChartView, IChart } from './chart-widget';
import { cssVariable, element } from './dom';
import { resolveKindColors } from './kinds';
import { buildTimeOrder, ITimeOrderView } from './time-order';

export class TimeOrderView extends ChartView {
  constructor() {
    super('jp-vmprof-time-order-view');
    this.header.appendChild(element('h4', 'jp-vmprof-time-order-title', 'Time order'));
  }

  get view(): ITimeOrderView | null {
    return this._view;
  }

  /** Emitted with the frame (graph.frames index) of a clicked box. */
  get frameSelected(): ISignal<this, number> {
    return this._frameSelected;
  }

  render(graph: IGraphJSON, selected: number): void {
    this._graph = graph;
    this._selected = selected;
    void this.redraw();
  }

  /** Plotly gives the plot its `on` at the first draw, which waits until the view is shown. */
  async redraw(): Promise<void> {
    await super.redraw();
    this._listen();
  }

  /** Light up the spans of another function. */
  setSelected(selected: number): void {
    if (selected !== this._selected && this._graph) {
      this.render(this._graph, selected);
    }
  }

  protected chart(): IChart | null {
    if (!this._graph) {
      return null;
    }
    const view = buildTimeOrder(this._graph, {
      colors: resolveKindColors(name => cssVariable(this.node, name)),
      selected: this._selected,
      plotWidth: this.plot.clientWidth || undefined
    });
    this._view = view;
    this.message.textContent = view ? '' : 'This profile has no stacks in time order.';
    this.message.hidden = !!view;
    this.footer.replaceChildren(...(view?.notes ?? []).map(n => element('p', 'jp-vmprof-callers-note', n)));
    return view ? { traces: [view.trace], layout: view.layout, height: view.height } : null;
  }

  private _listen(): void {
    const plot = this.plot as unknown as PlotlyHTMLElement;
    if (this._listening || typeof plot.on !== 'function') {
      return;
    }
    this._listening = true;
    plot.on('plotly_click', event => {
      const span = this._view?.spans[event.points?.[0]?.pointNumber ?? -1];
      if (span && span.frame >= 0) {
        this._frameSelected.emit(span.frame);
      }
    });
  }

  private _graph: IGraphJSON | null = null;
  private _selected = -1;
  private _view: ITimeOrderView | null = null;
  private _listening = false;
  private _frameSelected = new Signal<this, number>(this);
}
