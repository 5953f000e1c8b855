/**
 * The flame graph (icicle) panel. It owns one plotly plot, rebuilds the
 * trace from the call tree on each zoom (plotly only ever sees a bounded
 * number of boxes), and purges plotly when disposed.
 */
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { Data, Layout, PlotlyHTMLElement } from 'plotly.js';

import { loadPlotly, mark, MARKS, observeTheme, PlotlyModule, themedLayout } from './plotly';
import { highlightFlame, IFlameHighlight } from './search';

import type { IGraphJSON } from '../model/graph-json';
import { button, cssVariable, element } from './dom';
import { buildFlame, childrenOf, IFlameView, LABEL_MIN_FONT_PX, nodeName, pathTo } from './flame';
import { resolveKindColors } from './kinds';
import { canFold, foldLibraryFrames, IFoldedGraph } from './mycode';
import { flameNote, shortCellText } from './summary';

/** Levels drawn at once: enough context, boxes tall enough to read. */
const FLAME_LEVELS = 14;

export interface IFlameLimits {
  maxNodes: number;
  minNodeFraction: number;
}

export class FlameView extends Widget {
  constructor() {
    super();
    this.addClass('jp-vmprof-flame-view');
    this._breadcrumb = element('nav', 'jp-vmprof-breadcrumb');
    this._breadcrumb.setAttribute('aria-label', 'Zoom path');
    this._note = element('div', 'jp-vmprof-flame-note');
    this._plot = element('div', 'jp-vmprof-flame');
    this._error = element('div', 'jp-vmprof-error jp-vmprof-flame-error');
    this._error.setAttribute('role', 'alert');
    this._error.hidden = true;
    this._myCode = element('input', 'jp-vmprof-mycode-toggle');
    this._myCode.type = 'checkbox';
    this._myCode.checked = true;
    this._myCode.addEventListener('change', () => this._source && this.setGraph(this._source, this._limits));
    const myCode = element('label', 'jp-vmprof-mycode');
    myCode.title = 'Fold standard library, site-packages, IPython and interpreter frames into "N frames hidden" boxes';
    myCode.append(this._myCode, document.createTextNode(' My code first'));
    this.node.append(myCode, this._breadcrumb, this._error, this._plot, this._note);
  }

  /** Emitted after each draw with the view plotly got. */
  get drawn(): ISignal<this, IFlameView> {
    return this._drawn;
  }

  get view(): IFlameView | null {
    return this._view;
  }

  /** Emitted with the frame (graph.frames index) of a clicked box. */
  get frameSelected(): ISignal<this, number> {
    return this._frameSelected;
  }

  /** The search highlight of the last draw, null without a search. */
  get highlight(): IFlameHighlight | null {
    return this._highlight;
  }

  /** Highlight the boxes of these frames, dim the others (null: no search). */
  setMatches(matches: ReadonlySet<number> | null): void {
    this._matches = matches;
    void this._draw();
  }

  /** Show a graph from its root, with the given limits. */
  setGraph(graph: IGraphJSON, limits: IFlameLimits): void {
    this._source = graph;
    const foldable = canFold(graph);
    this._myCode.parentElement!.hidden = !foldable;
    this._folded = foldable && this._myCode.checked ? foldLibraryFrames(graph) : null;
    graph = this._folded?.graph ?? graph;
    this._graph = graph;
    this._children = childrenOf(graph.tree.parent);
    this._limits = limits;
    this._root = 0;
    void this._draw();
  }

  /** New limits (settings changed): redraw the current zoom. */
  setLimits(limits: IFlameLimits): void {
    this._limits = limits;
    void this._draw();
  }

  /** Zoom to a tree node (0 = the whole profile). */
  zoomTo(node: number): void {
    this._root = node;
    void this._draw();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._resizeObserver?.disconnect();
    this._themeObserver?.disconnect();
    if (this._plotly && this._plotted) {
      this._plotly.purge(this._plot);
    }
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // Outputs are resized by the notebook without Lumino resize messages.
    this._resizeObserver = new ResizeObserver(() => this._resize());
    this._resizeObserver.observe(this._plot);
    // plotly needs real colours: re-read the theme variables when it changes.
    this._themeObserver = observeTheme(() => void this._draw());
  }

  protected onBeforeDetach(msg: Message): void {
    this._resizeObserver?.disconnect();
    this._themeObserver?.disconnect();
    this._resizeObserver = null;
    this._themeObserver = null;
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._resize();
  }

  /** 480 px in an output; in a main-area tab the plot fills the tab (style: .jp-vmprof-viewer). */
  private _height(): number {
    return this.node.closest('.jp-vmprof-viewer') ? Math.max(480, Math.floor(this._plot.clientHeight)) : 480;
  }

  private _drawnHeight = 480;

  private _resize(): void {
    if (!this._plotly || !this._plotted || !this.isVisible) {
      return;
    }
    if (this._plot.clientWidth > this._labelWidth || Math.abs(this._height() - this._drawnHeight) > 2) {
      // Wider than the labels were chosen for: some may fit now.
      void this._draw();
    } else {
      void this._plotly.Plots.resize(this._plot);
    }
  }

  /**
   * Draw soon. Calls made while a draw waits for plotly join it (an output
   * sets its graph, then its search, in one go: one plotly draw, not two);
   * one made during plotly's draw gets another after it.
   */
  private _draw(): Promise<void> {
    this._stale = true;
    if (!this._drawing) {
      this._drawing = this._drawWhileStale().finally(() => (this._drawing = null));
    }
    return this._drawing;
  }

  /** Draw until up to date; say so in the view when plotly cannot be loaded or fails. */
  private async _drawWhileStale(): Promise<void> {
    while (this._stale && !this.isDisposed) {
      try {
        await this._drawPlot();
        this._error.hidden = true;
      } catch (error) {
        this._stale = false;
        if (!this.isDisposed) {
          this._error.textContent = `Could not draw the flame graph: ${
            error instanceof Error ? error.message : String(error)
          }. The table view still works; reload the page to try again.`;
          this._error.hidden = false;
        }
      }
    }
  }

  private async _drawPlot(): Promise<void> {
    if (!this._graph) {
      this._stale = false;
      return;
    }
    if (this._showShortCell(this._graph)) {
      return;
    }
    // Asked first: on a cold page plotly's fetch and compile (off the main
    // thread) then overlap building the trace, and the note shows meanwhile.
    const plotlyLoaded = loadPlotly();
    this._build(this._graph);
    mark(MARKS.flameBuilt);

    const Plotly = await plotlyLoaded;
    const graph = this._graph;
    if (this.isDisposed || !graph) {
      return;
    }
    this._stale = false;
    // The same view unless something changed while plotly loaded; notably
    // an output shows its view only once its graph is set, so the first
    // build saw no width (and would have kept every label).
    const view = this._build(graph);
    this._plotly = Plotly;
    const layout: Partial<Layout> = {
      ...themedLayout(this.node, (this._drawnHeight = this._height())),
      margin: { l: 0, r: 0, t: 4, b: 0 },
      // Hide labels that would need a tiny font rather than shrink them.
      uniformtext: { minsize: LABEL_MIN_FONT_PX, mode: 'hide' }
    };
    this._highlight = this._matches
      ? highlightFlame(graph, view, this._matches, this._children)
      : null;
    const trace = this._highlight
      ? { ...view.trace, marker: { ...view.trace.marker, colors: this._highlight.colors } }
      : view.trace;
    // plotly measures labels in a tester outside the plot, each time forcing
    // a layout of the page, half-built plot included: kept out of layout
    // until drawn, a 100,000-node view spent 24 ms there instead of 287.
    this._plot.style.contentVisibility = 'hidden';
    try {
      await Plotly.react(this._plot, [trace as Data], layout, {
        displaylogo: false,
        responsive: false,
        modeBarButtonsToRemove: ['toImage']
      });
    } finally {
      this._plot.style.contentVisibility = '';
    }
    if (this.isDisposed) {
      return;
    }
    mark(MARKS.flameDrawn);
    if (!this._plotted) {
      this._plotted = true;
      // Return false: we zoom by rebuilding the trace, not plotly's way.
      (this._plot as unknown as PlotlyHTMLElement).on(
        'plotly_icicleclick' as 'plotly_click',
        ((event: { points?: { pointNumber?: number }[] }) => {
          this._onClick(event.points?.[0]?.pointNumber);
          return false;
        }) as unknown as () => void
      );
    }
    this._drawn.emit(view);
  }

  /** One line instead of an empty 480 px plot when nothing of the code was sampled. */
  private _showShortCell(graph: IGraphJSON): boolean {
    const text = shortCellText(graph);
    this._plot.hidden = text !== null;
    this._breadcrumb.hidden = text !== null;
    this._note.classList.toggle('jp-vmprof-short-cell', text !== null);
    if (text !== null) {
      this._note.textContent = text;
      this._stale = false;
    }
    return text !== null;
  }

  /** The view of the current zoom, labelled for the plot's width now (kept while that holds). */
  private _build(graph: IGraphJSON): IFlameView {
    const look = (name: string) => cssVariable(this.node, name);
    // Hidden (0 wide): keep every label, the next resize decides.
    this._labelWidth = this._plot.clientWidth || Infinity;
    const colors = resolveKindColors(look);
    const key = JSON.stringify([this._root, this._limits, this._labelWidth, colors]);
    if (this._view && this._built === graph && this._builtKey === key) {
      return this._view;
    }
    const view = buildFlame(
      graph,
      {
        ...this._limits,
        root: this._root,
        maxDepth: FLAME_LEVELS,
        plotWidth: Number.isFinite(this._labelWidth) ? this._labelWidth : undefined,
        colors
      },
      this._children
    );
    this._built = graph;
    this._builtKey = key;
    this._view = view;
    this._renderBreadcrumb(graph);
    this._renderNote(graph, view);
    return view;
  }

  private _onClick(pointNumber: number | undefined): void {
    const view = this._view;
    const graph = this._graph;
    if (!view || !graph || pointNumber === undefined) {
      return;
    }
    let node = view.treeNodes[pointNumber];
    if (node === undefined) {
      return;
    }
    if (node >= 0 && graph.tree.frame[node] >= 0) {
      this._frameSelected.emit(graph.tree.frame[node]);
    }
    if (node === -1) {
      // A merged box: zoom into its parent, where its frames get room.
      node = Number(view.trace.parents[pointNumber].slice(1));
    } else if (node === view.viewRoot) {
      // Clicking the root of the view goes one level up, as plotly does.
      node = Math.max(0, graph.tree.parent[node]);
    }
    if (node !== this._root) {
      this.zoomTo(node);
    }
  }

  private _renderBreadcrumb(graph: IGraphJSON): void {
    const crumbs: HTMLElement[] = [];
    const path = [0, ...pathTo(graph, this._root)];
    path.forEach((node, i) => {
      if (i > 0) {
        crumbs.push(element('span', 'jp-vmprof-breadcrumb-sep', '›'));
      }
      const name = nodeName(graph, node);
      if (node === this._root) {
        crumbs.push(element('span', 'jp-vmprof-breadcrumb-current', name));
      } else {
        crumbs.push(button('jp-vmprof-breadcrumb-item', name, () => this.zoomTo(node), `Zoom out to ${name}`));
      }
    });
    this._breadcrumb.replaceChildren(...crumbs);
  }

  private _renderNote(graph: IGraphJSON, view: IFlameView): void {
    this._note.textContent = flameNote(graph, view, this._folded?.hiddenFrames ?? null);
  }

  private _graph: IGraphJSON | null = null;
  /** The graph as given, before "My code first" folded it. */
  private _source: IGraphJSON | null = null;
  private _folded: IFoldedGraph | null = null;
  private _myCode: HTMLInputElement;
  private _children: number[][] = [];
  private _limits: IFlameLimits = { maxNodes: 1500, minNodeFraction: 0.001 };
  private _root = 0;
  private _view: IFlameView | null = null;
  private _plotly: PlotlyModule | null = null;
  private _plotted = false;
  /** Plot width the labels were chosen for (Infinity: all kept). */
  private _labelWidth = Infinity;
  /** What `_view` was built from: the graph, and the zoom, limits, width and colours. */
  private _built: IGraphJSON | null = null;
  private _builtKey = '';
  /** A draw is wanted / under way (see `_draw`). */
  private _stale = false;
  private _drawing: Promise<void> | null = null;
  private _breadcrumb: HTMLElement;
  private _note: HTMLElement;
  private _error: HTMLElement;
  private _plot: HTMLDivElement;
  private _drawn = new Signal<this, IFlameView>(this);
  private _frameSelected = new Signal<this, number>(this);
  private _matches: ReadonlySet<number> | null = null;
  private _highlight: IFlameHighlight | null = null;
  private _resizeObserver: ResizeObserver | null = null;
  private _themeObserver: MutationObserver | null = null;
}
