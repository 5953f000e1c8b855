/**
 * The profile browser's model: every profile of the store (newest first, as
 * the server sends them), the filter the user typed, and the REST calls that
 * change the store. It keeps itself current by a cheap poll while someone
 * watches it: the first page of the listing is compared with what is held,
 * and only a difference fetches the whole list.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { requestAPI, requestBlob } from '../handler';
import type { ICrashGuard, IWorkerPart } from '../tokens';
import { saveBlob } from '../views/dom';

/** meta.json of a profile, as `GET profiles` returns it (docs/architecture.md). */
export interface IProfileMeta {
  id: string;
  name: string;
  status: 'running' | 'complete' | 'failed' | 'interrupted' | string;
  notebook: string;
  cell: string;
  started: string | null;
  finished: string | null;
  duration_s: number | null;
  samples?: number | null;
  /** Of `samples` (every thread), the kernel's own threads' (heartbeat, IOPub…): the views leave them out by default. */
  kernel_threads?: { threads: number; samples: number } | null;
  error?: string | null;
  warnings?: string[];
  /** The kernel's crash guard: samples it dropped (CPython 3.11, 3.12 only). */
  guard?: ICrashGuard | null;
  /** `%%vmprof --workers`: the Dask workers profiled with the cell, one part each. */
  workers?: IWorkerPart[] | null;
  /** Magic options; `imported: true` for an uploaded .prof. */
  options?: { imported?: boolean; [option: string]: unknown };
  /** Set by `jupyter vmprof run` on every profile of one headless run (docs/headless.md). */
  run?: IProfileRun | null;
}

/** One `jupyter vmprof run`: the same `id` and `name` on all its profiles. */
export interface IProfileRun {
  id: string;
  name?: string;
  notebook?: string;
  cell?: string;
  repeat?: number;
}

interface IListing {
  profiles: IProfileMeta[];
  total: number;
  page: number;
}

/** The export formats of `GET profiles/<id>/export/<fmt>`. */
export { EXPORT_FORMATS } from '../formats/registry';
import type { ExportFormat } from '../formats/registry';
export type { ExportFormat };

/** Notebook filter value that selects profiles taken outside any notebook. */
export const NO_NOTEBOOK = '\u0000none';

/** Largest page the server gives (ProfileStore.list caps per_page at 1000). */
const PAGE_SIZE = 1000;
/** Profiles compared by the cheap poll: new ones and recent status changes show here. */
const PROBE_SIZE = 25;

export class ProfileListModel implements IDisposable {
  /** Emitted when the profiles or the filter change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted with a message when a request fails ('' clears the message). */
  get errorChanged(): ISignal<this, string> {
    return this._errorChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Every profile in the store, newest first. */
  get all(): readonly IProfileMeta[] {
    return this._all;
  }

  /** The profiles that pass the filter, newest first. */
  get shown(): readonly IProfileMeta[] {
    if (this._shown === null) {
      this._shown = this._all.filter(meta => this._passes(meta));
    }
    return this._shown;
  }

  /** Whether the list has been fetched at least once. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The notebooks that have profiles, sorted, '' (no notebook) left out. */
  get notebooks(): string[] {
    const paths = new Set(this._all.map(meta => meta.notebook).filter(path => !!path));
    return Array.from(paths).sort();
  }

  get filterText(): string {
    return this._filterText;
  }

  set filterText(value: string) {
    if (value !== this._filterText) {
      this._filterText = value;
      this._filterChanged();
    }
  }

  /** A notebook path, NO_NOTEBOOK, or '' for every notebook. */
  get notebookFilter(): string {
    return this._notebookFilter;
  }

  set notebookFilter(value: string) {
    if (value !== this._notebookFilter) {
      this._notebookFilter = value;
      this._filterChanged();
    }
  }

  find(id: string): IProfileMeta | undefined {
    return this._all.find(meta => meta.id === id);
  }

  /** Fetch the whole list now. Concurrent calls share one request. */
  refresh(): Promise<void> {
    if (!this._pending) {
      this._pending = this._fetchAll().finally(() => {
        this._pending = null;
      });
    }
    return this._pending;
  }

  /**
   * Ask for the first page only and fetch everything if it differs from what
   * is held. The poll calls this; so does a profile output appearing.
   */
  async refreshIfChanged(): Promise<void> {
    if (!this._loaded) {
      return this.refresh();
    }
    try {
      const probe = await requestAPI<IListing>(`profiles?per_page=${PROBE_SIZE}`);
      if (this._isDisposed) {
        return;
      }
      const held = signature(this._all.slice(0, PROBE_SIZE), this._all.length);
      if (signature(probe.profiles, probe.total) !== held) {
        await this.refresh();
      }
    } catch (error) {
      this._setError(`Cannot list the profiles: ${messageOf(error)}`);
    }
  }

  /**
   * Poll every `intervalMs` until stopped. Polls are skipped while the
   * browser tab is in the background; a request never overlaps the next.
   */
  startPolling(intervalMs: number): void {
    this.stopPolling();
    const tick = async () => {
      if (!document.hidden) {
        await this.refreshIfChanged();
      }
      if (this._pollTimer !== null) {
        this._pollTimer = window.setTimeout(tick, intervalMs);
      }
    };
    this._pollTimer = window.setTimeout(tick, intervalMs);
  }

  stopPolling(): void {
    if (this._pollTimer !== null) {
      window.clearTimeout(this._pollTimer);
      this._pollTimer = null;
    }
  }

  async rename(id: string, name: string): Promise<IProfileMeta> {
    const meta = await requestAPI<IProfileMeta>(`profiles/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: JSON.stringify({ name })
    });
    this._replace(meta);
    return meta;
  }

  async remove(id: string): Promise<void> {
    await requestAPI<void>(`profiles/${encodeURIComponent(id)}`, { method: 'DELETE' });
    this._all = this._all.filter(meta => meta.id !== id);
    this._contentChanged();
  }

  /** Download an export under the file name the server chose. */
  async exportProfile(id: string, format: ExportFormat): Promise<string> {
    const download = await requestBlob(
      `profiles/${encodeURIComponent(id)}/export/${format}`
    );
    const fileName = download.fileName || `${id}.${format}`;
    saveBlob(download.blob, fileName);
    return fileName;
  }

  /** Upload a `.prof` file; the profile is named after the file. */
  async importFile(file: File): Promise<IProfileMeta> {
    const name = file.name.replace(/\.(prof|vmprof|out)$/i, '') || file.name;
    const body = await file.arrayBuffer();
    const meta = await requestAPI<IProfileMeta>(
      `profiles?name=${encodeURIComponent(name)}`,
      {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/octet-stream' }
      }
    );
    await this.refresh();
    return meta;
  }

  /** Show a message in the browser (or clear it with ''). */
  reportError(message: string): void {
    this._setError(message);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.stopPolling();
    Signal.clearData(this);
  }

  private async _fetchAll(): Promise<void> {
    const profiles: IProfileMeta[] = [];
    try {
      for (let page = 1; ; page++) {
        const listing = await requestAPI<IListing>(`profiles?per_page=${PAGE_SIZE}&page=${page}`);
        profiles.push(...listing.profiles);
        if (listing.profiles.length === 0 || profiles.length >= listing.total) {
          break;
        }
      }
    } catch (error) {
      this._setError(`Cannot list the profiles: ${messageOf(error)}`);
      return;
    }
    if (this._isDisposed) {
      return;
    }
    this._loaded = true;
    this._all = profiles;
    if (this._error.startsWith('Cannot list')) {
      this._setError('');
    }
    this._contentChanged();
  }

  private _replace(meta: IProfileMeta): void {
    this._all = this._all.map(old => (old.id === meta.id ? meta : old));
    this._contentChanged();
  }

  private _passes(meta: IProfileMeta): boolean {
    const notebook = this._notebookFilter;
    if (notebook === NO_NOTEBOOK ? !!meta.notebook : notebook && meta.notebook !== notebook) {
      return false;
    }
    const words = this._filterText.toLowerCase().split(/\s+/).filter(word => word);
    if (words.length === 0) {
      return true;
    }
    // A headless run's id or name finds all of its profiles.
    const run: Partial<IProfileRun> = meta.run ?? {};
    const haystack = [meta.name, meta.notebook, meta.cell, meta.id, meta.status, run.id, run.name]
      .join('\n')
      .toLowerCase();
    return words.every(word => haystack.includes(word));
  }

  private _filterChanged(): void {
    this._shown = null;
    this._changed.emit();
  }

  private _contentChanged(): void {
    this._shown = null;
    this._changed.emit();
  }

  private _setError(message: string): void {
    if (message !== this._error) {
      this._error = message;
      this._errorChanged.emit(message);
    }
  }

  private _all: IProfileMeta[] = [];
  private _shown: IProfileMeta[] | null = null;
  private _loaded = false;
  private _filterText = '';
  private _notebookFilter = '';
  private _error = '';
  private _pending: Promise<void> | null = null;
  private _pollTimer: number | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _errorChanged = new Signal<this, string>(this);
}

/** What the cheap poll compares: count, order, and what a row shows that can change. */
function signature(profiles: readonly IProfileMeta[], total: number): string {
  return JSON.stringify([
    total,
    profiles.map(meta => [meta.id, meta.status, meta.name, meta.samples ?? null, meta.duration_s])
  ]);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
