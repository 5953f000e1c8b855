/**
 * The differential flame graph in the Compare view: a heading, the legend
 * (swatches with the deltas they stand for), a note on what colour and
 * width mean, and the plotly icicle. The trace comes from the pure builder
 * (diff-flame.ts); this part reads the theme's colours, sets text with
 * textContent and calls plotly. DiffView owns it and disposes of it.
 */
import { IDisposable } from '@lumino/disposable';
import type { Data, Layout } from 'plotly.js';

import type { IDiffJSON } from '../model/diff-json';
import { buildDiffFlame, FALLBACK_DIFF_FLAME_COLORS, IDiffFlameColors, IDiffFlameView } from './diff-flame';
import { cssVariable, element } from './dom';
import { LABEL_MIN_FONT_PX } from './flame';
import { loadPlotly, PlotlyModule, themedLayout } from './plotly';

/** Pixels per level of boxes (at most MAX_LEVELS of them are drawn at once), and the least height. */
const LEVEL_PX = 22;
const MIN_HEIGHT = 160;

export class DiffFlame implements IDisposable {
  /** The section to place in the view. */
  readonly node: HTMLElement;

  constructor() {
    this.node = element('section', 'jp-vmprof-diff-flame');
    const heading = element('h3', 'jp-vmprof-diff-flame-heading', 'Differential flame graph');
    this._legend = element('ul', 'jp-vmprof-diff-flame-legend');
    this._legend.setAttribute('aria-label', 'Colours of the differential flame graph');
    this._note = element('div', 'jp-vmprof-diff-flame-note');
    this._plot = element('div', 'jp-vmprof-diff-flame-plot');
    this.node.append(heading, this._legend, this._note, this._plot);
    this.node.hidden = true;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The view last drawn (for tests and the commands). */
  get view(): IDiffFlameView | null {
    return this._view;
  }

  /** Draw `diff` with the theme's colours; hidden when it has no tree. */
  async draw(diff: IDiffJSON): Promise<void> {
    const look = (name: string) => cssVariable(this.node, name);
    const colors: IDiffFlameColors = {
      slower: look('--jp-vmprof-diff-slower') || FALLBACK_DIFF_FLAME_COLORS.slower,
      faster: look('--jp-vmprof-diff-faster') || FALLBACK_DIFF_FLAME_COLORS.faster,
      neutral: look('--jp-vmprof-diff-neutral') || FALLBACK_DIFF_FLAME_COLORS.neutral
    };
    const view = buildDiffFlame(diff, colors);
    this._view = view;
    this.node.hidden = view === null;
    if (!view) {
      return;
    }
    this._legend.replaceChildren(
      ...view.legend.map(entry => {
        const item = element('li', 'jp-vmprof-diff-flame-legend-entry');
        const swatch = element('span', 'jp-vmprof-diff-flame-swatch');
        swatch.style.background = entry.color;
        item.append(swatch, element('span', '', entry.text));
        return item;
      })
    );
    this._note.textContent = view.note;
    let Plotly: PlotlyModule;
    try {
      Plotly = await loadPlotly();
    } catch (error) {
      this._plot.textContent = `Could not draw the flame graph: ${(error as Error).message ?? error}.`;
      return;
    }
    if (this._isDisposed) {
      return;
    }
    this._plotly = Plotly;
    const height = Math.max(MIN_HEIGHT, LEVEL_PX * view.levels + 8);
    const layout: Partial<Layout> = {
      ...themedLayout(this.node, height),
      margin: { l: 0, r: 0, t: 4, b: 0 },
      uniformtext: { minsize: LABEL_MIN_FONT_PX, mode: 'hide' }
    };
    await Plotly.react(this._plot, [view.trace as unknown as Data], layout, {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ['toImage']
    });
    this._plotted = true;
  }

  /** The view's size changed. */
  resize(): void {
    if (this._plotly && this._plotted && !this.node.hidden) {
      void this._plotly.Plots.resize(this._plot);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (this._plotly && this._plotted) {
      this._plotly.purge(this._plot);
    }
  }

  private _legend: HTMLElement;
  private _note: HTMLElement;
  private _plot: HTMLElement;
  private _view: IDiffFlameView | null = null;
  private _plotly: PlotlyModule | null = null;
  private _plotted = false;
  private _isDisposed = false;
}
