/**
 * The comparison of two profiles: a header saying what is compared, the
 * differential flame graph (diff-flame-widget.ts), a filter, a plotly bar
 * chart of the 20 largest self deltas, and a DOM table
 * of every function sorted by |Δ self|. Everything from the profiles goes
 * in with textContent (names are arbitrary text, never markup); the chart's
 * labels are escaped by the builder. Up (a larger share in B) and down are
 * coloured with theme variables (style/diff.css).
 */
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type { Data, Layout } from 'plotly.js';

import { cssVariable, element, tableHead } from './dom';
import {
  buildDiffRows,
  buildDiffTrace,
  diffSummary,
  FALLBACK_DIFF_COLORS,
  IDiffRow,
  IDiffView
} from './diff';
import type { IDiffJSON } from '../model/diff-json';
import { DiffFlame } from './diff-flame-widget';
import { DiffThreadsSwitch } from './diff-threads-widget';
import { formatCount } from './format';
import { loadPlotly, PlotlyModule } from './plotly';

/** Bars in the chart. */
const TOP = 20;

const COLUMNS: [string, string][] = [
  ['Function', ''],
  ['Location', 'file:line (file:A→B when the first line moved)'],
  ['Self % A', 'Share of A\u2019s samples in which the function was running itself'],
  ['Self % B', 'Share of B\u2019s samples in which the function was running itself'],
  ['Δ self', 'Self % B − self % A, in percentage points; positive: a larger share in B'],
  ['Total % A', 'Share of A\u2019s samples in which the function was on the stack'],
  ['Total % B', 'Share of B\u2019s samples in which the function was on the stack'],
  ['Δ total', 'Total % B − total % A, in percentage points']
];

export class DiffView extends Widget {
  constructor() {
    super();
    this.addClass('jp-vmprof-diff');
    this._summary = element('div', 'jp-vmprof-diff-summary');
    this._message = element('div', 'jp-vmprof-diff-message');
    this._message.setAttribute('role', 'status');
    this._filter = element('input', 'jp-vmprof-diff-filter');
    this._filter.type = 'search';
    this._filter.placeholder = 'Filter functions (name, file, kind)';
    this._filter.setAttribute('aria-label', 'Filter the compared functions');
    this._filter.addEventListener('input', () => this._renderTable());
    this._count = element('span', 'jp-vmprof-diff-count');
    this._count.setAttribute('aria-live', 'polite');
    const bar = element('div', 'jp-vmprof-diff-bar');
    bar.append(this._filter, this._count);
    this._plot = element('div', 'jp-vmprof-diff-plot');
    this._tableHolder = element('div', 'jp-vmprof-diff-table-holder');
    this._content = element('div', 'jp-vmprof-diff-content');
    this._flame = new DiffFlame();
    this._threads = new DiffThreadsSwitch();
    this._content.append(this._summary, this._threads.node, this._flame.node, this._plot, bar, this._tableHolder);
    this._content.hidden = true;
    this.node.append(this._message, this._content);
    this.showMessage('Comparing the profiles…');
  }

  /** The Diff JSON shown, if any (for tests and commands). */
  get diff(): IDiffJSON | null {
    return this._diff;
  }

  /** The differential flame graph. */
  get flame(): DiffFlame {
    return this._flame;
  }

  /** The "Include kernel threads" switch (its `changed` signal asks for the other comparison). */
  get threads(): DiffThreadsSwitch {
    return this._threads;
  }

  /** The rows of the last table drawn. */
  get view(): IDiffView | null {
    return this._view;
  }

  /** A loading note or an error in place of the comparison. */
  showMessage(text: string, isError = false): void {
    this._message.textContent = text;
    this._message.classList.toggle('jp-vmprof-error', isError);
    this._message.setAttribute('role', isError ? 'alert' : 'status');
    this._message.hidden = false;
    this._content.hidden = true;
  }

  /** Show a comparison; `nameA`/`nameB` are the profiles' names as the user knows them. */
  setDiff(diff: IDiffJSON, nameA: string, nameB: string): void {
    this._diff = diff;
    this._names = [nameA, nameB];
    this._message.hidden = true;
    this._content.hidden = false;
    this._renderTable();
    this._summary.textContent = diffSummary(this._view!, nameA, nameB);
    this._threads.show(diff);
    void this._drawPlot();
    void this._flame.draw(diff);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._themeObserver?.disconnect();
    if (this._plotly && this._plotted) {
      this._plotly.purge(this._plot);
    }
    this._flame.dispose();
    this._threads.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // plotly needs real colours: redraw with the new theme's variables.
    this._themeObserver = new MutationObserver(() => {
      void this._drawPlot();
      if (this._diff) {
        void this._flame.draw(this._diff);
      }
    });
    this._themeObserver.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
  }

  protected onBeforeDetach(msg: Message): void {
    this._themeObserver?.disconnect();
    this._themeObserver = null;
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    if (this._plotly && this._plotted && this.isVisible) {
      void this._plotly.Plots.resize(this._plot);
    }
    this._flame.resize();
  }

  private _renderTable(): void {
    const diff = this._diff;
    if (!diff) {
      return;
    }
    const view = buildDiffRows(diff, { filter: this._filter.value });
    this._view = view;
    const table = element('table', 'jp-vmprof-table jp-vmprof-diff-table');
    const caption = element(
      'caption',
      'jp-vmprof-table-caption',
      `Functions of A (${this._names[0]}) and B (${this._names[1]}), largest change of self share first.`
    );
    const head = tableHead(COLUMNS);
    const body = element('tbody');
    for (const row of view.rows) {
      body.appendChild(tableRow(row));
    }
    table.append(caption, head, body);
    this._tableHolder.replaceChildren(table);
    this._count.textContent =
      view.matching === view.total
        ? `${formatCount(view.total)} functions`
        : `${formatCount(view.matching)} of ${formatCount(view.total)} functions match`;
    if (view.rows.length < view.matching) {
      this._count.textContent += ` (first ${formatCount(view.rows.length)} shown; filter to find the others)`;
    }
  }

  private async _drawPlot(): Promise<void> {
    const diff = this._diff;
    if (!diff || this.isDisposed) {
      return;
    }
    const look = (name: string) => cssVariable(this.node, name);
    const trace = buildDiffTrace(diff, {
      top: TOP,
      colors: {
        up: look('--jp-vmprof-diff-up') || FALLBACK_DIFF_COLORS.up,
        down: look('--jp-vmprof-diff-down') || FALLBACK_DIFF_COLORS.down
      }
    });
    this._plot.hidden = trace.x.length === 0;
    if (trace.x.length === 0) {
      return; // the same profile, or no self change anywhere: nothing to chart
    }
    let Plotly: PlotlyModule;
    try {
      Plotly = await loadPlotly();
    } catch (error) {
      this._plot.textContent = `Could not draw the chart: ${(error as Error).message ?? error}. The table below still works.`;
      return;
    }
    if (this.isDisposed) {
      return;
    }
    this._plotly = Plotly;
    const font = look('--jp-ui-font-color1') || '#000';
    const grid = look('--jp-border-color2') || '#ddd';
    const layout: Partial<Layout> = {
      margin: { l: 8, r: 8, t: 28, b: 36 },
      height: 120 + 18 * trace.x.length,
      paper_bgcolor: 'rgba(0,0,0,0)',
      plot_bgcolor: 'rgba(0,0,0,0)',
      title: { text: `Largest changes of self share (B − A, percentage points)`, font: { size: 13 } },
      font: { color: font, family: look('--jp-ui-font-family') || 'sans-serif', size: 12 },
      xaxis: { zeroline: true, zerolinecolor: font, gridcolor: grid, ticksuffix: ' pp' },
      yaxis: {
        automargin: true,
        autorange: 'reversed',
        tickmode: 'array',
        tickvals: trace.y,
        ticktext: trace.ticktext
      },
      hoverlabel: {
        bgcolor: look('--jp-layout-color1') || '#fff',
        bordercolor: look('--jp-border-color1') || '#999',
        font: { color: font }
      }
    };
    const { ticktext: _labels, ...data } = trace;
    await Plotly.react(this._plot, [data as Data], layout, {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ['toImage']
    });
    this._plotted = true;
  }

  private _diff: IDiffJSON | null = null;
  private _flame: DiffFlame;
  private _threads: DiffThreadsSwitch;
  private _view: IDiffView | null = null;
  private _names: [string, string] = ['A', 'B'];
  private _summary: HTMLElement;
  private _message: HTMLElement;
  private _filter: HTMLInputElement;
  private _count: HTMLElement;
  private _plot: HTMLElement;
  private _tableHolder: HTMLElement;
  private _content: HTMLElement;
  private _plotly: PlotlyModule | null = null;
  private _plotted = false;
  private _themeObserver: MutationObserver | null = null;
}

function tableRow(row: IDiffRow): HTMLTableRowElement {
  const tr = element('tr');
  const name = element('td', 'jp-vmprof-name', row.name);
  name.title = `${row.name} (${row.kindLabel})`;
  const location = element('td', 'jp-vmprof-location', row.shortLocation);
  location.title = row.location;
  tr.append(name, location);
  const cells: [string, string, string][] = [
    [row.selfAText, '', ''],
    [row.selfBText, '', ''],
    [row.selfDeltaText, 'jp-vmprof-diff-delta', row.selfDirection],
    [row.totalAText, '', ''],
    [row.totalBText, '', ''],
    [row.totalDeltaText, 'jp-vmprof-diff-delta', row.totalDirection]
  ];
  for (const [text, extra, direction] of cells) {
    const td = element('td', `jp-vmprof-num ${extra}`.trim(), text);
    if (direction) {
      td.classList.add(`jp-vmprof-diff-${direction}`);
      // Colour is not the only cue: the sign is in the text, the word in the label.
      td.setAttribute('aria-label', `${text} (${direction === 'same' ? 'unchanged' : direction})`);
    }
    tr.appendChild(td);
  }
  return tr;
}
