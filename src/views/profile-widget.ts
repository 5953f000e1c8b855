/**
 * The renderer of a `%%vmprof` output: a toolbar (sample count and measured
 * duration, view switch, export), the warnings, and the flame graph or the
 * top-functions table of the profile's Graph JSON from the server.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';

import { APIError, requestAPI, requestBlob } from '../handler';
import { GRAPH_FORMAT, GRAPH_VERSION, IGraphJSON } from '../model/graph-json';
import {
  DEFAULT_VIEW_SETTINGS,
  IProfileOutput,
  IViewSettings,
  IVmprofSettings,
  PROFILE_MIME_TYPE,
  ProfileView
} from '../tokens';
import { button, element, saveBlob } from './dom';
import { FlameView } from './flame-widget';
import { formatCount } from './format';
import { summaryText } from './summary';
import { TableView } from './table-widget';

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
    const views = element('div', 'jp-vmprof-view-switch');
    views.setAttribute('role', 'group');
    views.setAttribute('aria-label', 'View');
    this._flameButton = button('jp-vmprof-button', 'Flame', () => this._choose('flame'));
    this._tableButton = button('jp-vmprof-button', 'Table', () => this._choose('table'));
    views.append(this._flameButton, this._tableButton);
    this._exportButton = button(
      'jp-vmprof-button jp-vmprof-export',
      'Export callgrind',
      () => void this._exportCallgrind(),
      'Download the profile in callgrind format (KCachegrind, QCachegrind, callgrind_annotate)'
    );
    this._exportButton.disabled = true;
    this._threads = element('select', 'jp-vmprof-thread');
    this._threads.title = 'Show the samples of one thread';
    this._threads.hidden = true;
    this._threads.addEventListener('change', () => {
      const id = this._output?.id;
      if (id) {
        void this._load(id, this._threads.value || null);
      }
    });
    toolbar.append(this._title, this._summary, this._threads, views, this._exportButton);

    this._warnings = element('ul', 'jp-vmprof-warnings');
    this._error = element('div', 'jp-vmprof-error jp-vmprof-profile-error');
    this._error.setAttribute('role', 'alert');
    this._error.hidden = true;
    // Everything is a child widget, so the Panel keeps them in this order.
    for (const node of [toolbar, this._warnings, this._error]) {
      this.addWidget(new Widget({ node }));
    }
    this._flame.hide();
    this._table.hide();
    this.addWidget(this._flame);
    this.addWidget(this._table);
    this._showView(this._viewSettings.defaultView);
  }

  /** The Graph JSON shown, once loaded. */
  get graph(): IGraphJSON | null {
    return this._graph;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const output = model.data[PROFILE_MIME_TYPE] as unknown as IProfileOutput | undefined;
    if (!output || typeof output.id !== 'string') {
      this._fail('This output holds no vmprof profile id.');
      return;
    }
    if (this._output && this._output.id === output.id && this._graph) {
      return; // re-render of the same output: keep the zoom and view
    }
    this._output = output;
    this.node.dataset.profileId = output.id;
    this._title.textContent = output.name || output.id;
    this._title.title = output.id;
    this._setWarnings(output.warnings ?? []);
    if (!PROFILE_ID.test(output.id)) {
      this._fail(`"${output.id}" is not a profile id of this extension.`);
      return;
    }
    await this._load(output.id);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._settings?.changed.disconnect(this._onSettingsChanged, this);
    super.dispose();
  }

  /** Fetch and show the graph of the profile, for one thread or all (null). */
  private async _load(id: string, thread: string | null = null): Promise<void> {
    let graph: IGraphJSON;
    const query = thread === null ? '' : `?thread=${encodeURIComponent(thread)}`;
    this._threads.disabled = true;
    try {
      graph = await requestAPI<IGraphJSON>(`profiles/${encodeURIComponent(id)}/graph${query}`);
    } catch (error) {
      this._threads.disabled = false;
      this._summary.textContent = '';
      if (error instanceof APIError && error.status === 404) {
        this._fail(
          `This profile is no longer in the profile store (deleted, or the store moved). Server: ${error.message}`
        );
      } else {
        this._fail(`Could not load the profile's call graph: ${errorText(error)}`);
      }
      return;
    }
    if (this.isDisposed) {
      return;
    }
    if (!graph || graph.format !== GRAPH_FORMAT || graph.version !== GRAPH_VERSION) {
      this._fail(
        `The server sent a call graph this version of the extension cannot read (format ${String(
          graph?.format
        )} version ${String(graph?.version)}, expected ${GRAPH_FORMAT} ${GRAPH_VERSION}). Rebuild or reinstall jupyterlab-vmprof.`
      );
      return;
    }
    this._graph = graph;
    this._exportButton.disabled = false;
    this._summary.textContent = summaryText(graph);
    this._summary.dataset.samples = String(graph.profile.samples);
    this._setThreads(graph);
    this._clearError();
    this._setWarnings([...(this._output?.warnings ?? []), ...graph.profile.warnings]);
    const settings = this._viewSettings;
    this._flame.setGraph(graph, settings);
    this._table.render(graph, settings.maxTableRows);
    this._showView(this._view);
  }

  private _choose(view: ProfileView): void {
    this._userChoseView = true;
    this._showView(view);
  }

  private _showView(view: ProfileView): void {
    this._view = view;
    this._flameButton.setAttribute('aria-pressed', String(view === 'flame'));
    this._tableButton.setAttribute('aria-pressed', String(view === 'table'));
    if (!this._graph) {
      return;
    }
    if (view === 'flame') {
      this._table.hide();
      this._flame.show();
    } else {
      this._flame.hide();
      this._table.show();
    }
  }

  private async _exportCallgrind(): Promise<void> {
    const id = this._output?.id;
    if (!id) {
      return;
    }
    this._exportButton.disabled = true;
    try {
      const download = await requestBlob(
        `profiles/${encodeURIComponent(id)}/export/callgrind`
      );
      // KCachegrind recognises callgrind.out.* files by name.
      saveBlob(download.blob, `callgrind.out.${id}`);
      this._clearError();
    } catch (error) {
      this._fail(`Export to callgrind failed: ${errorText(error)}`);
    } finally {
      this._exportButton.disabled = false;
    }
  }

  private _onSettingsChanged(): void {
    const settings = this._viewSettings;
    if (!this._userChoseView) {
      this._showView(settings.defaultView);
    }
    if (this._graph) {
      this._flame.setLimits(settings);
      this._table.render(this._graph, settings.maxTableRows);
    }
  }

  private get _viewSettings(): Readonly<IViewSettings> {
    return this._settings?.current ?? DEFAULT_VIEW_SETTINGS;
  }

  /** The thread menu, only for profiles with more than one thread. */
  private _setThreads(graph: IGraphJSON): void {
    const { threads, thread, totalSamples } = graph.profile;
    this._threads.hidden = threads.length < 2;
    this._threads.disabled = false;
    if (threads.length < 2) {
      return;
    }
    const all = element('option', '', `all threads (${formatCount(totalSamples)} samples)`);
    all.value = '';
    const options = [all];
    for (const t of threads) {
      const option = element(
        'option',
        '',
        `${t.label ?? `thread ${t.id}`} (${formatCount(t.samples)} samples)`
      );
      option.value = t.id;
      options.push(option);
    }
    this._threads.replaceChildren(...options);
    this._threads.value = thread ?? '';
  }

  private _setWarnings(warnings: string[]): void {
    const unique = Array.from(new Set(warnings.filter(w => typeof w === 'string' && w)));
    this._warnings.replaceChildren(...unique.map(w => element('li', 'jp-vmprof-warning', w)));
    this._warnings.hidden = unique.length === 0;
  }

  private _fail(message: string): void {
    this._error.textContent = message;
    this._error.hidden = false;
  }

  private _clearError(): void {
    this._error.textContent = '';
    this._error.hidden = true;
  }

  private _settings: IVmprofSettings | null;
  private _output: IProfileOutput | null = null;
  private _graph: IGraphJSON | null = null;
  private _view: ProfileView = 'flame';
  private _userChoseView = false;
  private _title: HTMLElement;
  private _summary: HTMLElement;
  private _threads: HTMLSelectElement;
  private _flameButton: HTMLButtonElement;
  private _tableButton: HTMLButtonElement;
  private _exportButton: HTMLButtonElement;
  private _warnings: HTMLElement;
  private _error: HTMLElement;
  private _flame = new FlameView();
  private _table = new TableView();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
