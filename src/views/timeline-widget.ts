/**
 * The Timeline view: samples over time per thread, and the RSS when the
 * profile recorded memory; under it, one thread's stacks in time order
 * (time-order-widget.ts). The view switch hides it when the Graph JSON
 * has no timeline.
 */
import { ISignal } from '@lumino/signaling';
import { Panel } from '@lumino/widgets';

import type { IGraphJSON } from '../model/graph-json';
import { ChartView, IChart } from './chart-widget';
import { cssVariable, element } from './dom';
import { TimeOrderView } from './time-order-widget';
import { buildTimeline, ITimelineView } from './timeline';

/** The samples-over-time chart and the time-ordered flame chart, one above the other. */
export class TimelinePanel extends Panel {
  readonly samples = new TimelineView();
  readonly timeOrder = new TimeOrderView();

  constructor() {
    super();
    this.addClass('jp-vmprof-timeline-panel');
    this.addWidget(this.samples);
    this.addWidget(this.timeOrder);
  }

  /** A function clicked in the time order. */
  get frameSelected(): ISignal<TimeOrderView, number> {
    return this.timeOrder.frameSelected;
  }

  render(graph: IGraphJSON, selected = -1): void {
    this.samples.render(graph);
    this.timeOrder.render(graph, selected);
  }

  setSelected(selected: number): void {
    this.timeOrder.setSelected(selected);
  }

  async redraw(): Promise<void> {
    await Promise.all([this.samples.redraw(), this.timeOrder.redraw()]);
  }
}

/**
 * Thread colours: none of them a frame-kind colour (kinds.ts), so that a
 * thread's bars never read as Python or native code.
 */
export const THREAD_COLORS: readonly string[] = ['#00897b', '#c2185b', '#5d4037', '#827717', '#283593', '#ad1457'];

export class TimelineView extends ChartView {
  constructor() {
    super('jp-vmprof-timeline-view');
  }

  get view(): ITimelineView | null {
    return this._view;
  }

  render(graph: IGraphJSON): void {
    this._graph = graph;
    this._build();
    void this.redraw();
  }

  protected chart(): IChart | null {
    // Rebuilt on each draw: the thread colours follow the theme.
    this._build();
    const view = this._view;
    return view
      ? {
          traces: view.traces,
          // Legend above the plot: on the right it would cover the RSS axis.
          layout: { ...view.layout, legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' }, margin: { l: 60, r: 60, t: 32, b: 48 } },
          height: 340
        }
      : null;
  }

  private _build(): void {
    if (!this._graph) {
      return;
    }
    const look = (name: string) => cssVariable(this.node, name);
    const view = buildTimeline(this._graph, {
      threadColors: THREAD_COLORS,
      rssColor: look('--jp-error-color1') || undefined
    });
    this._view = view;
    this.message.textContent = view ? '' : 'This profile has no timeline.';
    this.message.hidden = !!view;
    this.footer.replaceChildren(...(view?.notes ?? []).map(n => element('p', 'jp-vmprof-callers-note', n)));
  }

  private _graph: IGraphJSON | null = null;
  private _view: ITimelineView | null = null;
}
