/**
 * A widget holding one plotly chart that follows the theme: subclasses say
 * what to draw (traces and layout from a pure builder), this class loads
 * plotly, redraws on theme changes, resizes with the output, and purges
 * plotly when disposed.
 */
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type { Data, Layout } from 'plotly.js';

import { element } from './dom';
import { loadPlotly, observeTheme, PlotlyModule, themedLayout } from './plotly';

export interface IChart {
  traces: unknown[];
  layout: Record<string, unknown>;
  height: number;
}

export abstract class ChartView extends Widget {
  constructor(className: string) {
    super();
    this.addClass(className);
    this.header = element('div', 'jp-vmprof-chart-head');
    this.message = element('p', 'jp-vmprof-empty');
    this.message.hidden = true;
    this.plot = element('div', 'jp-vmprof-chart');
    this.footer = element('div', 'jp-vmprof-chart-notes');
    this._error = element('div', 'jp-vmprof-error');
    this._error.setAttribute('role', 'alert');
    this._error.hidden = true;
    this.node.append(this.header, this.message, this._error, this.plot, this.footer);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._disconnect();
    if (this._plotly && this._plotted) {
      this._plotly.purge(this.plot);
    }
    super.dispose();
  }

  /** The chart to draw now, or null for none (the message says why). */
  protected abstract chart(): IChart | null;

  /** Draw (again): after new data, a theme change or being shown. */
  async redraw(): Promise<void> {
    const chart = this.chart();
    if (!chart) {
      this.plot.hidden = true;
      if (this._plotly && this._plotted) {
        this._plotly.purge(this.plot);
        this._plotted = false;
      }
      return;
    }
    this.plot.hidden = false;
    if (!this.isVisible) {
      this._stale = true; // plotly measures the div: draw when shown
      return;
    }
    this._stale = false;
    try {
      const Plotly = await loadPlotly();
      if (this.isDisposed) {
        return;
      }
      this._plotly = Plotly;
      const base = themedLayout(this.node, chart.height);
      const layout = {
        ...base,
        margin: { l: 60, r: 60, t: 8, b: 48 },
        ...chart.layout,
        xaxis: { ...base.xaxis, ...(chart.layout.xaxis as object) },
        yaxis: { ...base.yaxis, ...(chart.layout.yaxis as object) }
      } as Partial<Layout>;
      await Plotly.react(this.plot, chart.traces as Data[], layout, {
        displaylogo: false,
        responsive: false
      });
      this._plotted = true;
      this._error.hidden = true;
    } catch (error) {
      this._error.textContent = `Could not draw the chart: ${error instanceof Error ? error.message : String(error)}`;
      this._error.hidden = false;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._themeObserver = observeTheme(() => void this.redraw());
    this._resizeObserver = new ResizeObserver(() => {
      if (this._plotly && this._plotted && this.isVisible) {
        void this._plotly.Plots.resize(this.plot);
      }
    });
    this._resizeObserver.observe(this.plot);
  }

  protected onBeforeDetach(msg: Message): void {
    this._disconnect();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (this._stale || !this._plotted) {
      void this.redraw();
    } else if (this._plotly) {
      void this._plotly.Plots.resize(this.plot);
    }
  }

  private _disconnect(): void {
    this._themeObserver?.disconnect();
    this._resizeObserver?.disconnect();
    this._themeObserver = null;
    this._resizeObserver = null;
  }

  protected header: HTMLElement;
  protected message: HTMLElement;
  protected plot: HTMLDivElement;
  protected footer: HTMLElement;
  private _error: HTMLElement;
  private _plotly: PlotlyModule | null = null;
  private _plotted = false;
  private _stale = false;
  private _themeObserver: MutationObserver | null = null;
  private _resizeObserver: ResizeObserver | null = null;
}
