/**
 * The profile browser's filter bar: free text (every word must match the
 * name, cell, notebook, id or status) and a notebook choice. It writes the
 * filter into the list model; the list redraws from the model's signal.
 */
import { Widget } from '@lumino/widgets';

import { element } from '../views/dom';
import { baseName } from '../views/format';
import { NO_NOTEBOOK, ProfileListModel } from './profile-list';

export class ProfileFilters extends Widget {
  /**
   * @param focusList - moves the focus to the list (ArrowDown in the text box).
   */
  constructor(
    private readonly _model: ProfileListModel,
    focusList: () => void
  ) {
    super();
    this.addClass('jp-vmprof-browser-filters');
    this._text = element('input', 'jp-vmprof-browser-filter jp-mod-styled');
    this._text.type = 'search';
    this._text.placeholder = 'Filter by name, cell, notebook…';
    this._text.setAttribute('aria-label', 'Filter profiles');
    this._text.addEventListener('input', () => {
      this._model.filterText = this._text.value;
    });
    this._text.addEventListener('keydown', event => {
      if (event.key === 'ArrowDown') {
        event.preventDefault();
        focusList();
      }
    });
    this._notebook = element('select', 'jp-vmprof-browser-notebook-filter jp-mod-styled');
    this._notebook.setAttribute('aria-label', 'Show profiles of notebook');
    this._notebook.addEventListener('change', () => {
      this._model.notebookFilter = this._notebook.value;
    });
    this.node.append(this._text, this._notebook);
    this.refreshNotebooks();
  }

  /** Rebuild the notebook choices if the set of notebooks changed. */
  refreshNotebooks(): void {
    const notebooks = this._model.notebooks;
    const key = JSON.stringify(notebooks);
    if (key === this._notebooksShown) {
      return;
    }
    this._notebooksShown = key;
    const current = this._model.notebookFilter;
    const option = (value: string, text: string, title = text) => {
      const node = element('option', '', text);
      node.value = value;
      node.title = title;
      return node;
    };
    // Short names unless two notebooks share one; the full path is the tooltip.
    const names = notebooks.map(path => baseName(path));
    const label = (path: string, index: number) =>
      names.indexOf(names[index]) === names.lastIndexOf(names[index]) ? names[index] : path;
    this._notebook.replaceChildren(
      option('', 'All notebooks'),
      ...notebooks.map((path, index) => option(path, label(path, index), path)),
      option(NO_NOTEBOOK, 'No notebook (imported, scripts)')
    );
    const stillThere = current === '' || current === NO_NOTEBOOK || notebooks.includes(current);
    this._notebook.value = stillThere ? current : '';
    if (!stillThere) {
      // The notebook's last profile was deleted: show everything again.
      this._model.notebookFilter = '';
    }
  }

  private _text: HTMLInputElement;
  private _notebook: HTMLSelectElement;
  /** The notebooks the choice was built from, to skip needless rebuilds. */
  private _notebooksShown = '';
}
