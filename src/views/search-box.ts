/**
 * The search field of a profile output and the line beside it that says what
 * matched: the text (or /regex/) is searched in the frames' names and files; the
 * flame graph highlights the matches and the table keeps only their rows.
 */
import type { IGraphJSON } from '../model/graph-json';
import { element } from './dom';
import { IFlameHighlight, ISearchResult, searchFrames, searchSummary, tableRowMatcher } from './search';
import type { ITableRow } from './table';

export class SearchBox {
  readonly input = element('input', 'jp-vmprof-search');
  readonly status = element('span', 'jp-vmprof-search-status');

  constructor(onInput: () => void) {
    this.input.type = 'search';
    this.input.placeholder = 'Search functions';
    this.input.setAttribute('aria-label', 'Search functions (text, or /regex/)');
    this.input.title = 'Name or file contains the text (or matches /regex/): highlights boxes, filters the table';
    this.input.addEventListener('input', onInput);
    this.status.setAttribute('aria-live', 'polite');
  }

  /** The frames matching the field's text in `graph` (null: no search), kept for the table and status. */
  search(graph: IGraphJSON): ReadonlySet<number> | null {
    this._result = searchFrames(graph, this.input.value);
    return this._result ? this._result.frames : null;
  }

  /** The table's row filter for the last search, or null to show every row. */
  get tableFilter(): ((row: ITableRow) => boolean) | null {
    return this._result ? tableRowMatcher(this._result.frames) : null;
  }

  /** Say what the last search found within the flame graph's current view (`viewTotal` samples). */
  showStatus(highlight: IFlameHighlight | null, viewTotal: number | null): void {
    const result = this._result;
    this.input.classList.toggle('jp-mod-error', !!result?.query.error);
    if (!result) {
      this.status.textContent = '';
    } else if (result.query.error) {
      this.status.textContent = result.query.error;
    } else if (highlight && viewTotal !== null) {
      this.status.textContent = searchSummary(result, highlight, viewTotal);
    }
  }

  private _result: ISearchResult | null = null;
}
