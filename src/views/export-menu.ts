/**
 * The export controls of a profile: one button for the default format
 * (settings), a menu with every format, and "Save callgrind next to the
 * notebook", which writes the file into the workspace through the Contents
 * API. Downloads carry the selected thread, so they match the view.
 */
import { Notification } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { Contents } from '@jupyterlab/services';

import { requestAPI, requestBlob } from '../handler';
import { EXPORT_FORMATS, ExportFormat } from '../tokens';
import { button, element, saveBlob } from './dom';
import { detachedPopup } from './popup';
import { callgrindPathNextTo, contentsPath, exportFileName, exportLabel, exportPath, exportTitle } from './export';

/** What the export menu needs to know about the profile shown. */
export interface IExportTarget {
  id: string;
  /** The profile's name ('' when unnamed). */
  name: string;
  /** The thread of the view, null for all threads. */
  thread: string | null;
  /** A --workers profile's process shown (kernel, workers, worker-<n>); kernel when absent. */
  process?: string;
  /** The notebook's server-relative path when the output knows it. */
  notebookPath: string | null;
}

/** The workspace's contents manager, set by the renderer plugin (absent in tests). */
let contentsManager: Contents.IManager | null = null;
export function setContentsManager(manager: Contents.IManager | null): void {
  contentsManager = manager;
}

/** Finds the path of the document (notebook) an output node sits in; set by the renderer plugin. */
let documentPathOf: (node: HTMLElement) => string | null = () => null;
export function setDocumentPathResolver(resolver: (node: HTMLElement) => string | null): void {
  documentPathOf = resolver;
}

/** The notebook path of an output node, if it sits in an open notebook. */
export function notebookPathOf(node: HTMLElement): string | null {
  const path = documentPathOf(node);
  return path && path.endsWith('.ipynb') ? path : null;
}

export class ExportMenu {
  readonly node = element('div', 'jp-vmprof-export-group');

  constructor(
    private readonly _target: () => IExportTarget | null,
    private readonly _onError: (message: string) => void
  ) {
    this._main = button('jp-vmprof-button jp-vmprof-export', '', () => void this.download(this._format));
    this._menu = element('details', 'jp-vmprof-export-menu');
    const summary = element('summary', 'jp-vmprof-button', 'More exports');
    summary.title = 'Other formats, and saving next to the notebook';
    const list = element('div', 'jp-vmprof-export-list');
    list.setAttribute('role', 'menu');
    for (const format of EXPORT_FORMATS) {
      const item = button('jp-vmprof-menu-item', `Download ${exportLabel(format)}`, () => {
        this._menu.open = false;
        void this.download(format);
      }, exportTitle(format));
      item.dataset.format = format;
      item.setAttribute('role', 'menuitem');
      list.appendChild(item);
    }
    const save = button('jp-vmprof-menu-item jp-vmprof-save-next', 'Save callgrind next to the notebook', () => {
      this._menu.open = false;
      void this.saveNextToNotebook();
    }, 'Write callgrind.out.<profile name> into the notebook\'s folder');
    save.setAttribute('role', 'menuitem');
    list.appendChild(save);
    this._menu.append(summary, list);
    detachedPopup(this._menu, list);
    this.node.append(this._main, this._menu);
    this.setFormat('callgrind');
    this.setEnabled(false);
  }

  /** The format of the main button (settings: defaultExportFormat). */
  setFormat(format: ExportFormat): void {
    this._format = format;
    this._main.textContent = `Export ${exportLabel(format)}`;
    this._main.title = `Download: ${exportTitle(format)}. Exports hold the thread shown.`;
  }

  setEnabled(enabled: boolean): void {
    this._main.disabled = !enabled;
    this._menu.classList.toggle('jp-mod-disabled', !enabled);
  }

  async download(format: ExportFormat): Promise<void> {
    const target = this._target();
    if (!target) {
      return;
    }
    this._main.disabled = true;
    try {
      const download = await requestBlob(exportPath(target.id, format, target.thread, target.process));
      saveBlob(download.blob, exportFileName(target.id, format, target.thread, target.process));
    } catch (error) {
      this._onError(`Export to ${exportLabel(format)} failed: ${errorText(error)}`);
    } finally {
      this._main.disabled = false;
    }
  }

  /** Write the callgrind text next to the notebook; the notification shows the path. */
  async saveNextToNotebook(): Promise<string | null> {
    const target = this._target();
    if (!target) {
      return null;
    }
    try {
      if (!contentsManager) {
        throw new Error('the workspace (Contents API) is not available here');
      }
      let notebook = target.notebookPath;
      if (!notebook) {
        // Not in an open notebook (main-area viewer): ask the store.
        const meta = await requestAPI<{ notebook?: string | null }>(`profiles/${encodeURIComponent(target.id)}`);
        const recorded = typeof meta.notebook === 'string' && meta.notebook ? meta.notebook : null;
        if (!recorded) {
          throw new Error('the profile does not say which notebook it came from');
        }
        notebook = contentsPath(recorded, PageConfig.getOption('serverRoot'));
        if (notebook === null) {
          throw new Error(`the notebook ${recorded} is outside the server's root folder`);
        }
      }
      const download = await requestBlob(exportPath(target.id, 'callgrind', target.thread, target.process));
      const content = await download.blob.text();
      const path = callgrindPathNextTo(notebook, target.name, target.id);
      await contentsManager.save(path, { type: 'file', format: 'text', content });
      Notification.success(`Saved callgrind next to the notebook: ${path}`, { autoClose: 8000 });
      return path;
    } catch (error) {
      this._onError(`Could not save callgrind next to the notebook: ${errorText(error)}`);
      return null;
    }
  }

  private _format: ExportFormat = 'callgrind';
  private _main: HTMLButtonElement;
  private _menu: HTMLDetailsElement;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
