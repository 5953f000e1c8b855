/**
 * The left-sidebar profile browser: a toolbar of commands, a text and a
 * notebook filter, and the virtual list of the store's profiles. It acts on
 * the selected profile (open, rename, delete, export) and imports `.prof`
 * files chosen in a file dialog or dropped on it. It polls the store only
 * while it is visible. Ctrl/Cmd-click selects a second profile and keeps the
 * first one as the comparison partner (`comparePartner`, marked in the list).
 */
import { Toolbar } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { PanelLayout, Widget } from '@lumino/widgets';

import { button, element } from '../views/dom';
import {
  ExportFormat,
  IProfileMeta,
  messageOf,
  ProfileListModel
} from './profile-list';
import { askNewName, confirmDelete } from './dialogs';
import { ProfileFilters } from './filters';
import { createRow, fillRow, ROW_HEIGHT } from './rows';
import { VirtualList } from './virtual-list';

/** How often the store is asked for changes while the browser is visible (default). */
export const POLL_INTERVAL_MS = 3000;

export class ProfileBrowser extends Widget {
  constructor(model: ProfileListModel) {
    super();
    this.model = model;
    this.id = 'jp-vmprof-browser';
    this.addClass('jp-vmprof-browser');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'vmprof profiles');
    // A plain column: the node is a CSS flex box and the list takes the rest.
    const layout = (this.layout = new PanelLayout());

    this.toolbar.addClass('jp-vmprof-browser-toolbar');
    this.toolbar.node.setAttribute('aria-label', 'Profile actions');
    layout.addWidget(this.toolbar);
    this._filters = new ProfileFilters(model, () => this._list.node.focus());
    layout.addWidget(this._filters);
    this._error = element('div', 'jp-vmprof-browser-error');
    this._error.setAttribute('role', 'alert');
    this._errorText = element('span', 'jp-vmprof-browser-error-text');
    this._error.append(
      this._errorText,
      button('jp-vmprof-browser-error-close', '×', () => model.reportError(''), 'Dismiss')
    );
    this._error.hidden = true;
    layout.addWidget(new Widget({ node: this._error }));

    this._list = new VirtualList(
      {
        createRow,
        updateRow: (row, index) => {
          const meta = this.model.shown[index];
          fillRow(row, meta, this._now);
          row.classList.toggle('jp-vmprof-browser-partner', meta.id === this._partner);
        },
        keyOf: index => this.model.shown[index].id
      },
      ROW_HEIGHT,
      'Profiles, newest first'
    );
    this._list.id = 'jp-vmprof-browser-list';
    this._empty = element('div', 'jp-vmprof-browser-empty');
    this._list.node.appendChild(this._empty);
    layout.addWidget(this._list);

    this._count = element('div', 'jp-vmprof-browser-count');
    this._count.setAttribute('aria-live', 'polite');
    layout.addWidget(new Widget({ node: this._count }));

    this._fileInput = element('input', 'jp-vmprof-browser-file');
    this._fileInput.type = 'file';
    this._fileInput.multiple = true;
    this._fileInput.accept = '.prof,.vmprof,.out,application/octet-stream';
    this._fileInput.hidden = true;
    this._fileInput.setAttribute('aria-label', 'vmprof profile files to import');
    this._fileInput.addEventListener('change', () => {
      const files = Array.from(this._fileInput.files ?? []);
      this._fileInput.value = ''; // choosing the same file again fires 'change' again
      void this.importFiles(files);
    });
    this.node.appendChild(this._fileInput);

    model.changed.connect(this._onModelChanged, this);
    model.errorChanged.connect(this._onError, this);
    this._list.selectionChanged.connect(() => this._selectionChanged.emit(this.selected), this);
    // Capture: runs before the list moves its selection, so the old one is still known.
    this._list.node.addEventListener('mousedown', event => this._onMouseDown(event), true);
    this._list.activated.connect((_, id) => this._open(id), this);
    this._list.deleteRequested.connect((_, id) => void this.deleteProfile(id), this);
    this._list.renameRequested.connect((_, id) => void this.renameProfile(id), this);
    this._onModelChanged();
  }

  readonly model: ProfileListModel;
  readonly toolbar = new Toolbar<Widget>();

  /** The profile the user selected, if it is still in the list. */
  get selected(): IProfileMeta | null {
    const id = this._list.selectedKey;
    return id ? this.model.find(id) ?? null : null;
  }

  /**
   * The profile selected before a Ctrl/Cmd-click selected another: with the
   * selection, the pair "Compare" acts on (partner = A, selected = B).
   */
  get comparePartner(): IProfileMeta | null {
    const partner = this._partner ? this.model.find(this._partner) ?? null : null;
    return partner && partner.id !== this.selected?.id ? partner : null;
  }

  /** Forget the comparison partner (a comparison was opened, or the user chose another). */
  clearComparePartner(): void {
    this._setPartner(null);
  }

  get selectionChanged(): ISignal<this, IProfileMeta | null> {
    return this._selectionChanged;
  }

  /** The user asked to open a profile (double-click, Enter, Open command). */
  get openRequested(): ISignal<this, IProfileMeta> {
    return this._openRequested;
  }

  /** A profile was renamed here; open viewers retitle themselves. */
  get renamed(): ISignal<this, IProfileMeta> {
    return this._renamed;
  }

  /** A profile was deleted here; its open viewer closes. */
  get deleted(): ISignal<this, string> {
    return this._deleted;
  }

  /** Milliseconds between two polls of the store while the browser is visible. */
  get pollInterval(): number {
    return this._pollInterval;
  }

  set pollInterval(value: number) {
    this._pollInterval = Math.max(500, value);
    if (this._watching) {
      this.model.startPolling(this._pollInterval);
    }
  }

  select(id: string): void {
    this._list.selectKey(id);
  }

  /** Open the file dialog of the import. */
  chooseFilesToImport(): void {
    this._fileInput.click();
  }

  openSelected(): void {
    const meta = this.selected;
    if (meta) {
      this._openRequested.emit(meta);
    }
  }

  async renameProfile(id = this.selected?.id): Promise<void> {
    const meta = id ? this.model.find(id) : undefined;
    if (!meta) {
      return;
    }
    const name = await askNewName(meta);
    if (name !== null) {
      try {
        const renamed = await this.model.rename(meta.id, name);
        this._renamed.emit(renamed);
      } catch (error) {
        this.model.reportError(`Cannot rename "${meta.name}": ${messageOf(error)}`);
      }
    }
    this._list.node.focus();
  }

  async deleteProfile(id = this.selected?.id): Promise<void> {
    const meta = id ? this.model.find(id) : undefined;
    if (!meta) {
      return;
    }
    if (await confirmDelete(meta)) {
      // Keep the keyboard user's place: select the row that takes its spot.
      const shown = this.model.shown;
      const index = shown.findIndex(item => item.id === meta.id);
      const neighbour = shown[index + 1] ?? shown[index - 1];
      try {
        await this.model.remove(meta.id);
        this._deleted.emit(meta.id);
        if (neighbour) {
          this._list.selectKey(neighbour.id);
        }
      } catch (error) {
        this.model.reportError(`Cannot delete "${meta.name}": ${messageOf(error)}`);
      }
    }
    this._list.node.focus();
  }

  async exportProfile(format: ExportFormat, id = this.selected?.id): Promise<void> {
    const meta = id ? this.model.find(id) : undefined;
    if (!meta) {
      return;
    }
    try {
      await this.model.exportProfile(meta.id, format);
    } catch (error) {
      this.model.reportError(`Cannot export "${meta.name}" as ${format}: ${messageOf(error)}`);
    }
  }

  async importFiles(files: File[]): Promise<void> {
    for (const file of files) {
      try {
        const meta = await this.model.importFile(file);
        this.model.reportError('');
        this._list.selectKey(meta.id);
      } catch (error) {
        this.model.reportError(`Cannot import ${file.name}: ${messageOf(error)}`);
      }
    }
  }

  handleEvent(event: Event): void {
    const drag = event as DragEvent;
    const hasFiles = Array.from(drag.dataTransfer?.types ?? []).includes('Files');
    switch (event.type) {
      case 'dragenter':
      case 'dragover':
        if (hasFiles) {
          event.preventDefault();
          drag.dataTransfer!.dropEffect = 'copy';
          this.addClass('jp-mod-dropTarget');
        }
        break;
      case 'dragleave':
        if (!this.node.contains(drag.relatedTarget as Node | null)) {
          this.removeClass('jp-mod-dropTarget');
        }
        break;
      case 'drop':
        this.removeClass('jp-mod-dropTarget');
        if (hasFiles) {
          event.preventDefault();
          event.stopPropagation();
          void this.importFiles(Array.from(drag.dataTransfer!.files));
        }
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    for (const type of ['dragenter', 'dragover', 'dragleave', 'drop']) {
      this.node.addEventListener(type, this);
    }
    // Restored already open at start-up: no show message will come.
    if (this.isVisible) {
      this._startWatching();
    }
  }

  protected onBeforeDetach(msg: Message): void {
    for (const type of ['dragenter', 'dragover', 'dragleave', 'drop']) {
      this.node.removeEventListener(type, this);
    }
    this._stopWatching();
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._startWatching();
  }

  protected onAfterHide(msg: Message): void {
    this._stopWatching();
    super.onAfterHide(msg);
  }

  protected onActivateRequest(msg: Message): void {
    this._list.node.focus();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopWatching();
    this.model.changed.disconnect(this._onModelChanged, this);
    this.model.errorChanged.disconnect(this._onError, this);
    super.dispose();
  }

  private _onModelChanged(): void {
    this._filters.refreshNotebooks();
    const shown = this.model.shown.length;
    const total = this.model.all.length;
    this._list.setCount(shown);
    this._redraw();
    this._count.textContent = !this.model.loaded
      ? 'Loading profiles…'
      : shown === total
      ? `${total} profile${total === 1 ? '' : 's'}`
      : `${shown} of ${total} profiles`;
    this._empty.hidden = !this.model.loaded || shown > 0;
    this._empty.textContent =
      total === 0
        ? 'No profiles yet. Run a cell whose first line is %%vmprof, or import a .prof file (drop it here).'
        : 'No profile matches the filter.';
    this._selectionChanged.emit(this.selected);
  }

  /** Fetch at once (something may have changed while hidden), then poll. */
  private _startWatching(): void {
    if (this._watching) {
      return;
    }
    this._watching = true;
    void this.model.refreshIfChanged();
    this.model.startPolling(this._pollInterval);
    // Relative times ("2 min ago") age even when nothing else changes.
    this._redrawTimer = window.setInterval(() => this._redraw(), 30_000);
  }

  private _stopWatching(): void {
    this._watching = false;
    this.model.stopPolling();
    window.clearInterval(this._redrawTimer);
  }

  private _redraw(): void {
    this._now = Date.now();
    this._list.redraw();
  }

  private _onError(_: ProfileListModel, message: string): void {
    this._errorText.textContent = message;
    this._error.hidden = !message;
  }

  private _open(id: string): void {
    const meta = this.model.find(id);
    if (meta) {
      this._openRequested.emit(meta);
    }
  }

  private _onMouseDown(event: MouseEvent): void {
    if (event.button !== 0) {
      return; // a right-click keeps the pair for the context menu's Compare
    }
    const previous = this._list.selectedKey;
    const onRow = (event.target as HTMLElement | null)?.closest?.('.jp-vmprof-browser-row');
    if (onRow && (event.ctrlKey || event.metaKey) && previous) {
      this._setPartner(previous);
    } else if (onRow) {
      this._setPartner(null);
    }
  }

  private _setPartner(id: string | null): void {
    if (id !== this._partner) {
      this._partner = id;
      this._list.redraw();
      this._selectionChanged.emit(this.selected);
    }
  }

  private _list: VirtualList;
  private _filters: ProfileFilters;
  private _error: HTMLElement;
  private _errorText: HTMLElement;
  private _empty: HTMLElement;
  private _count: HTMLElement;
  private _fileInput: HTMLInputElement;
  private _now = Date.now();
  private _redrawTimer = 0;
  private _watching = false;
  private _partner: string | null = null;
  private _pollInterval = POLL_INTERVAL_MS;
  private _selectionChanged = new Signal<this, IProfileMeta | null>(this);
  private _openRequested = new Signal<this, IProfileMeta>(this);
  private _renamed = new Signal<this, IProfileMeta>(this);
  private _deleted = new Signal<this, string>(this);
}
