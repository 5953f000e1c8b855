/**
 * The Compare view's "Include kernel threads" checkbox and the note saying
 * what each side hides or includes (diff-threads.ts). It only reports the
 * user's choice (`changed`): the comparison tab (browser/compare.ts) asks the
 * server again and hands the new Diff JSON back through `show`.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IDiffJSON } from '../model/diff-json';
import { diffThreadsChoice } from './diff-threads';
import { element } from './dom';

export class DiffThreadsSwitch implements IDisposable {
  /** The label with the checkbox and the note; hidden when neither side has kernel threads. */
  readonly node: HTMLElement;

  constructor() {
    this.node = element('div', 'jp-vmprof-diff-kernel');
    this._box = element('input', 'jp-vmprof-diff-kernel-toggle');
    this._box.type = 'checkbox';
    this._box.addEventListener('change', () => this._changed.emit(this._box.checked));
    const label = element('label', 'jp-vmprof-diff-kernel-label');
    label.title =
      "Count the kernel's own threads (heartbeat, IOPub, control, history) on both sides; " +
      "percentages are then of every thread's samples";
    label.append(this._box, document.createTextNode(' Include kernel threads'));
    this._note = element('span', 'jp-vmprof-diff-kernel-note');
    this._note.setAttribute('aria-live', 'polite');
    this.node.append(label, this._note);
    this.node.hidden = true;
  }

  /** Emitted with the new choice when the user flips the checkbox. */
  get changed(): ISignal<this, boolean> {
    return this._changed;
  }

  /** Whether the box is ticked. */
  get checked(): boolean {
    return this._box.checked;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Says what `diff` holds; shown only when one of its sides has kernel threads. */
  show(diff: IDiffJSON): void {
    const choice = diffThreadsChoice(diff);
    this.node.hidden = !choice.offered;
    this._box.checked = choice.included;
    this._box.disabled = false;
    this._note.textContent = choice.note;
    this._note.classList.remove('jp-vmprof-error');
  }

  /** While the other comparison loads: the box cannot be flipped again. */
  setBusy(): void {
    this._box.disabled = true;
    this._note.textContent = 'Comparing again…';
  }

  /** The other comparison could not be had: back to what is shown, and why. */
  fail(shown: IDiffJSON, message: string): void {
    this.show(shown);
    this._note.textContent = message;
    this._note.classList.add('jp-vmprof-error');
  }

  dispose(): void {
    if (!this._isDisposed) {
      this._isDisposed = true;
      Signal.clearData(this);
    }
  }

  private _box: HTMLInputElement;
  private _note: HTMLElement;
  private _changed = new Signal<this, boolean>(this);
  private _isDisposed = false;
}
