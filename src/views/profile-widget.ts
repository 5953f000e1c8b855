/**
 * The renderer of a `%%vmprof` output: a toolbar (samples, sampled and wall
 * time, thread, search, view switch, export), the frame-kind legend, the
 * warnings, and one of five views of the profile's Graph JSON: flame graph,
 * top-functions table, callers/callees, per-line costs, timeline.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import { IGraphJSON } from '../model/graph-json';
import {
  DEFAULT_VIEW_SETTINGS,
  IProfileOutput,
  IViewSettings,
  IVmprofSettings,
  PROFILE_MIME_TYPE,
  ProfileView
} from '../tokens';
import { onProfileArrived, profileArrived } from './arrivals';
import { CallersView } from './callers-widget';
import { CopyBar } from './copy-bar';
import { cssVariable, element } from './dom';
import { ExportMenu, notebookPathOf } from './export-menu';
import { FlameView } from './flame-widget';
import { GraphSource, unreadableGraph } from './graph-source';
import { resolveKindColors } from './kinds';
import { buildLegend } from './legend';
import { LinesView } from './lines-widget';
import { loadFailure, Notices, outputNotes } from './notices';
import { loadPlotly, mark, MARKS, observeTheme } from './plotly';
import { SearchBox } from './search-box';
import { heaviestFrame } from './selection';
import { guardText, guardTooltip, summaryText, summaryTooltip } from './summary';
import { TableView } from './table-widget';
import { processOptions } from './processes';
import { KERNEL_DIED_NOTE, progressText, RunningWatch } from './running';
import { threadOptions, threadSelectionOf } from './threads';
import { buildTimeline } from './timeline';
import { TimelinePanel } from './timeline-widget';
import { chooser, renderLegend, renderProcessOptions, renderThreadOptions, setKindColors, ViewSwitch } from './toolbar';

/** Profile ids as the store makes them; anything else never reaches a URL. */
const PROFILE_ID = /^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$/;

export class ProfileWidget extends Panel implements IRenderMime.IRenderer {
  constructor(settings: IVmprofSettings | null) {
    super();
    this.addClass('jp-vmprof-profile');
    this._settings = settings;
    settings?.changed.connect(this._onSettingsChanged, this);

    const toolbar = element('div', 'jp-vmprof-toolbar');
    this._title = element('span', 'jp-vmprof-title');
    this._summary = element('span', 'jp-vmprof-summary', 'Loading profile…');
    this._threads = chooser('jp-vmprof-thread', 'Show the samples of one thread', 'Thread');
    const processTitle = 'Show the kernel, one Dask worker, or all workers merged';
    this._processes = chooser('jp-vmprof-process', processTitle, 'Process');
    this._processes.addEventListener('change', () => {
      const id = this._output?.id;
      if (id) {
        this._process = this._processes.value || 'kernel';
        void this._load(id, null);
      }
    });
    this._threads.addEventListener('change', () => {
      const id = this._output?.id;
      if (id) {
        void this._load(id, this._threads.value || null);
      }
    });
    this._switch = new ViewSwitch(view => this._choose(view));
    this._export = new ExportMenu(
      () => this._exportTarget(),
      message => this._notices.fail(message)
    );
    toolbar.append(
      this._title,
      this._summary,
      this._processes,
      this._threads,
      this._search.input,
      this._search.status,
      this._switch.node,
      this._export.node
    );
    this._legend = element('div', 'jp-vmprof-legend');
    this._legend.setAttribute('aria-label', 'Frame kinds: share of self samples');
    // Everything is a child widget, so the Panel keeps them in this order.
    for (const node of [toolbar, this._legend, this._notices.warnings, this._notices.error, this._copyBar.node]) {
      this.addWidget(new Widget({ node }));
    }
    for (const view of Object.values(this._views)) {
      view.hide();
      this.addWidget(view);
    }
    this._flame.frameSelected.connect((_, frame) => this._select(frame, false));
    this._table.frameSelected.connect((_, frame) => this._select(frame, true));
    this._callers.frameSelected.connect((_, frame) => this._select(frame, false));
    this._timeline.frameSelected.connect((_, frame) => this._select(frame, false));
    this._flame.drawn.connect(() => this._updateSearchStatus());
    this._applySettings(this._viewSettings);
    this._showView(this._viewSettings.defaultView);
    // Brought into the store (import, remote kernel): show the full profile instead.
    this._stopListening = onProfileArrived(id => {
      if (id === this._output?.id && (this._copyBar.active || !this._graph)) {
        void this._load(id);
      }
    });
    // Start loading plotly while the graph is fetched (bench/flame_100k_lab.mjs).
    loadPlotly().catch(() => undefined);
  }

  /** The Graph JSON shown, once loaded. */
  get graph(): IGraphJSON | null {
    return this._graph;
  }

  /** The frame the Callers and Lines views show (-1: none). */
  get selectedFrame(): number {
    return this._selected;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const output = model.data[PROFILE_MIME_TYPE] as unknown as IProfileOutput | undefined;
    if (!output || typeof output.id !== 'string') {
      this._notices.fail('This output holds no vmprof profile id.');
      return;
    }
    if (this._output && this._output.id === output.id && (this._graph || this._loadingId === output.id)) {
      // The same profile again (the kernel's summary updates the output): keep the zoom and
      // view, and neither fetch nor draw it a second time; keep the newer bundle (its copy).
      this._output = output;
      return;
    }
    this._output = output;
    this.node.dataset.profileId = output.id;
    this._title.textContent = output.name || output.id;
    this._title.title = output.id;
    this._notices.setWarnings(outputNotes(output));
    this._process = 'kernel';
    renderProcessOptions(this._processes, processOptions(output.workers), this._process);
    if (!PROFILE_ID.test(output.id)) {
      this._notices.fail(`"${output.id}" is not a profile id of this extension.`);
      return;
    }
    if (output.status === 'running') {
      this._showRunning(output);
      return;
    }
    this._running?.stop();
    this._running = null;
    this._loadingId = output.id;
    try {
      await this._load(output.id);
    } finally {
      if (this._loadingId === output.id) {
        this._loadingId = null;
      }
    }
  }

  /** The cell is running (kernel/progress.py), or its kernel died before the final output. */
  private _showRunning(output: IProfileOutput): void {
    this._summary.textContent = progressText(output);
    if (this._running?.id === output.id) {
      return;
    }
    this._running?.stop();
    this._running = new RunningWatch(output.id, status => {
      if (this.isDisposed || this._output?.id !== output.id || this._graph) {
        return; // the final output came first
      }
      if (status === 'interrupted') {
        this._notices.setWarnings([KERNEL_DIED_NOTE, ...outputNotes(output)]);
        this._afterLoadNotes = [KERNEL_DIED_NOTE];
      }
      void this._load(output.id);
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._settings?.changed.disconnect(this._onSettingsChanged, this);
    this._stopListening();
    this._running?.stop();
    this._themeObserver?.disconnect();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // The legend's swatches hold resolved colours: re-read them with the theme.
    this._themeObserver = observeTheme(() => this._renderLegend());
  }

  protected onBeforeDetach(msg: Message): void {
    this._themeObserver?.disconnect();
    this._themeObserver = null;
    super.onBeforeDetach(msg);
  }

  /** Fetch and show the graph of the profile, for one thread or all (null). */
  private async _load(id: string, thread: string | null = null): Promise<void> {
    const output = this._output;
    if (output?.id !== id) {
      return; // another profile came meanwhile
    }
    let graph: IGraphJSON;
    this._threads.disabled = true;
    try {
      mark(MARKS.graphRequested);
      graph = await this._source.fetch({ output, thread, process: this._process, node: this.node });
      mark(MARKS.graphReceived);
    } catch (error) {
      this._threads.disabled = false;
      this._summary.textContent = '';
      this._notices.fail(loadFailure(error));
      return;
    }
    if (this.isDisposed) {
      return;
    }
    const unreadable = unreadableGraph(graph);
    if (unreadable) {
      this._notices.fail(unreadable);
      return;
    }
    this._graph = graph;
    this._export.setEnabled(!this._copyBar.active); // exports need the store
    const guard = this._output?.guard;
    this._summary.textContent = [summaryText(graph), guardText(guard)].filter(text => text).join(' · ');
    this._summary.title = [summaryTooltip(graph), guardTooltip(guard)].filter(text => text).join('\n');
    this._summary.dataset.samples = String(graph.profile.samples);
    renderThreadOptions(this._threads, threadOptions(graph.profile));
    this._notices.clearError();
    this._notices.setWarnings([...this._afterLoadNotes, ...outputNotes(this._output), ...graph.profile.warnings]);
    if (!this._userSelected || !graph.frames[this._selected]) {
      this._selected = heaviestFrame(graph);
      this._userSelected = false;
    }
    const hasTimeline = buildTimeline(graph) !== null;
    this._switch.setAvailable('timeline', hasTimeline, 'This profile has no timeline');
    this._renderLegend();
    const settings = this._viewSettings;
    this._flame.setGraph(graph, settings);
    this._timeline.render(graph, this._selected);
    this._applySearch();
    this._renderSelection();
    this._showView(this._view === 'timeline' && !hasTimeline ? 'flame' : this._view);
  }

  private _choose(view: ProfileView): void {
    this._userChoseView = true;
    this._showView(view);
  }

  private _showView(view: ProfileView): void {
    this._view = view;
    this._switch.setCurrent(view);
    this.node.dataset.view = view;
    if (!this._graph) {
      return;
    }
    for (const [name, widget] of Object.entries(this._views)) {
      widget.setHidden(name !== view);
    }
  }

  /** Select a function for the Callers and Lines views. */
  private _select(frame: number, fromTable: boolean): void {
    if (!this._graph || !this._graph.frames[frame]) {
      return;
    }
    this._selected = frame;
    this._userSelected = true;
    this._renderSelection();
    if (fromTable || this._view === 'callers') {
      this._showView('callers');
    }
  }

  private _renderSelection(): void {
    const graph = this._graph;
    if (!graph) {
      return;
    }
    this._callers.render(graph, this._selected);
    this._timeline.setSelected(this._selected);
    // Before any choice, Lines shows the heaviest function that has lines.
    const hasLines = !!graph.lines?.[String(this._selected)];
    const linesFrame = this._userSelected || hasLines ? this._selected : heaviestFrame(graph, true);
    this._lines.render(graph, linesFrame);
    this._renderTable();
  }

  private _renderTable(): void {
    if (this._graph) {
      this._table.render(this._graph, this._viewSettings.maxTableRows, this._search.tableFilter, this._selected);
    }
  }

  private _applySearch(): void {
    const graph = this._graph;
    if (!graph) {
      return;
    }
    this._flame.setMatches(this._search.search(graph));
    this._renderTable();
    this._updateSearchStatus();
  }

  private _updateSearchStatus(): void {
    this._search.showStatus(this._flame.highlight, this._flame.view?.viewTotal ?? null);
  }

  private _renderLegend(): void {
    if (this._graph) {
      const colors = resolveKindColors(name => cssVariable(this.node, name));
      renderLegend(this._legend, buildLegend(this._graph, { colors, hideAbsent: true }));
    }
  }

  private _exportTarget() {
    const id = this._output?.id;
    if (!id) {
      return null;
    }
    return {
      id,
      name: this._output?.name ?? '',
      thread: threadSelectionOf(this._graph?.profile),
      process: this._process,
      notebookPath: notebookPathOf(this.node)
    };
  }

  private _onSettingsChanged(): void {
    const settings = this._viewSettings;
    this._applySettings(settings);
    if (!this._userChoseView) {
      this._showView(settings.defaultView);
    }
    if (this._graph) {
      this._renderLegend();
      this._flame.setLimits(settings);
      this._renderTable();
      this._renderSelection();
      void this._timeline.redraw();
    }
  }

  /** Colours (as CSS variables on this output: table, legend and plotly read them) and export format. */
  private _applySettings(settings: Readonly<IViewSettings>): void {
    setKindColors(this.node, settings.kindColors);
    this._export.setFormat(settings.defaultExportFormat);
  }

  private get _viewSettings(): Readonly<IViewSettings> {
    return this._settings?.current ?? DEFAULT_VIEW_SETTINGS;
  }

  private _settings: IVmprofSettings | null;
  private _output: IProfileOutput | null = null;
  private _graph: IGraphJSON | null = null;
  /** The profile whose graph renderModel is fetching: a re-render meanwhile waits for it. */
  private _loadingId: string | null = null;
  private _view: ProfileView = 'flame';
  private _userChoseView = false;
  private _selected = -1;
  private _userSelected = false;
  private _title: HTMLElement;
  private _summary: HTMLElement;
  private _threads: HTMLSelectElement;
  private _processes: HTMLSelectElement;
  /** Watches the server while the output says its cell runs (running.ts). */
  private _running: RunningWatch | null = null;
  /** Notes the server's answer added, shown with the graph (the kernel died). */
  private _afterLoadNotes: string[] = [];
  /** The process shown of a --workers profile (processes.ts). */
  private _process = 'kernel';
  private _search = new SearchBox(() => this._applySearch());
  private _switch: ViewSwitch;
  private _export: ExportMenu;
  private _legend: HTMLElement;
  private _notices = new Notices();
  private _themeObserver: MutationObserver | null = null;
  private _copyBar = new CopyBar(id => profileArrived(id));
  private _source = new GraphSource(this._copyBar);
  private _stopListening: () => void;
  private _flame = new FlameView();
  private _table = new TableView();
  private _callers = new CallersView();
  private _lines = new LinesView();
  private _timeline = new TimelinePanel();
  private _views: Record<ProfileView, Widget> = {
    flame: this._flame,
    table: this._table,
    callers: this._callers,
    lines: this._lines,
    timeline: this._timeline
  };
}
