/**
 * The line above a profile output drawn from the copy saved in the notebook
 * (embedded.ts) rather than from the profile store: says so, and offers
 * "Import into my profile browser", which sends the raw profile saved with
 * the copy to this server's store under the profile's own id
 * (PUT profiles/<id>/transfer), after which the output shows the full profile.
 */
import { requestAPI } from '../handler';
import type { IProfileOutput } from '../tokens';
import { element } from './dom';
import { copyNotice, embeddedCopy, hasRawProfile, IEmbeddedCopy } from './embedded';

export class CopyBar {
  readonly node = element('div', 'jp-vmprof-copy-bar');

  constructor(private readonly _onImported: (id: string) => void) {
    this._text = element('span', 'jp-vmprof-copy-text');
    this._button = element('button', 'jp-vmprof-button jp-vmprof-import-copy', 'Import into my profile browser');
    this._button.addEventListener('click', () => void this._import());
    this._status = element('span', 'jp-vmprof-copy-status');
    this._status.setAttribute('aria-live', 'polite');
    this.node.append(this._text, this._button, this._status);
    this.node.hidden = true;
  }

  /** Whether the output shows the copy (exports and thread choice need the store). */
  get active(): boolean {
    return !this.node.hidden;
  }

  /** The output's copy, if it has one this version reads. */
  copyOf(output: IProfileOutput | null): IEmbeddedCopy | null {
    return embeddedCopy((output as { embedded?: unknown } | null)?.embedded);
  }

  show(output: IProfileOutput, copy: IEmbeddedCopy, notebookPath: string | null): void {
    this._output = output;
    this._copy = copy;
    this._notebook = notebookPath;
    this._text.textContent = copyNotice(copy);
    const raw = hasRawProfile(copy);
    this._button.disabled = !raw;
    this._button.title = raw
      ? 'Add the raw profile saved in this output to your profile store, under its own id'
      : 'The raw profile was not saved in this output (too large, or VmprofMagics.embed_raw is off)';
    this._status.textContent = '';
    this.node.hidden = false;
  }

  hide(): void {
    this.node.hidden = true;
  }

  private async _import(): Promise<void> {
    const output = this._output;
    const copy = this._copy;
    if (!output || !copy?.raw) {
      return;
    }
    this._button.disabled = true;
    this._status.textContent = 'Importing…';
    const meta = {
      name: output.name,
      status: output.status,
      samples: output.samples,
      duration_s: output.duration_s,
      warnings: output.warnings,
      notebook: this._notebook ?? '',
      imported_from: 'notebook output'
    };
    try {
      await requestAPI(`profiles/${encodeURIComponent(output.id)}/transfer`, {
        method: 'PUT',
        body: JSON.stringify({ meta, files: copy.raw })
      });
      this._status.textContent = 'Imported.';
      this._onImported(output.id);
    } catch (error) {
      this._button.disabled = false;
      this._status.textContent = `Import failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private _text: HTMLElement;
  private _button: HTMLButtonElement;
  private _status: HTMLElement;
  private _output: IProfileOutput | null = null;
  private _copy: IEmbeddedCopy | null = null;
  private _notebook: string | null = null;
}
