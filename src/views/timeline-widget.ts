/**
 * The Timeline view: samples over time per thread, and the RSS when the
 * profile recorded memory. The view switch hides it when the Graph JSON
 * has no timeline.
 */
import type { IGraphJSON } from '../model/graph-json';
import { ChartView, IChart } from './chart-widget';
import { cssVariable, element } from './dom';
import { buildTimeline, ITimelineView } from './timeline';

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
    const threadColors = ['--jp-vmprof-kind-python', '--jp-vmprof-kind-native', '--jp-vmprof-kind-jit', '--jp-vmprof-kind-unknown']
      .map(look)
      .filter(Boolean);
    const view = buildTimeline(this._graph, {
      threadColors,
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
