/**
 * A keyboard-driven listbox that only builds the rows in view, so a list of
 * thousands of profiles costs as much as a screenful. Rows have one fixed
 * height; a spacer gives the scroll bar the full length and a small pool of
 * row elements is moved and refilled as the user scrolls.
 */
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

/** What the list asks of its owner for each row. */
export interface IRowRenderer {
  /** Build the (empty) structure of a row once; it is reused for many items. */
  createRow(): HTMLElement;
  /** Fill a row with the item at `index`. */
  updateRow(row: HTMLElement, index: number): void;
  /** Stable id of the item at `index` (keeps the selection across refreshes). */
  keyOf(index: number): string;
}

/** Rows drawn above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 6;

export class VirtualList extends Widget {
  constructor(renderer: IRowRenderer, rowHeight: number, label: string) {
    super();
    this._renderer = renderer;
    this._rowHeight = rowHeight;
    this.addClass('jp-vmprof-browser-list');
    this.node.tabIndex = 0;
    this.node.setAttribute('role', 'listbox');
    this.node.setAttribute('aria-label', label);
    this._spacer = document.createElement('div');
    this._spacer.className = 'jp-vmprof-browser-spacer';
    this._spacer.setAttribute('role', 'presentation');
    this.node.appendChild(this._spacer);
  }

  /** The selected item's index changed (-1: none); payload is the key or null. */
  get selectionChanged(): ISignal<this, string | null> {
    return this._selectionChanged;
  }

  /** Enter or double-click on an item. */
  get activated(): ISignal<this, string> {
    return this._activated;
  }

  /** The Delete key on an item. */
  get deleteRequested(): ISignal<this, string> {
    return this._deleteRequested;
  }

  /** F2 on an item. */
  get renameRequested(): ISignal<this, string> {
    return this._renameRequested;
  }

  get selectedKey(): string | null {
    return this._selectedKey;
  }

  /** The number of items changed or their content did: redraw what is visible. */
  setCount(count: number): void {
    this._count = count;
    this._stale = true;
    this._spacer.style.height = `${count * this._rowHeight}px`;
    this.node.setAttribute('aria-rowcount', String(count));
    // Keep the selection on the same item if it is still there.
    const index = this._indexOfKey(this._selectedKey);
    if (this._selectedKey !== null && index < 0) {
      this._select(-1);
    }
    this._draw();
  }

  /** Select the item with this key (if present) and scroll it into view. */
  selectKey(key: string | null): void {
    this._select(this._indexOfKey(key), true);
  }

  /** Refill the visible rows (their items changed, or relative times went stale). */
  redraw(): void {
    this._stale = true;
    this._draw();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('scroll', this);
    this.node.addEventListener('keydown', this);
    this.node.addEventListener('mousedown', this);
    this.node.addEventListener('dblclick', this);
    this.node.addEventListener('contextmenu', this);
    this._draw();
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('scroll', this);
    this.node.removeEventListener('keydown', this);
    this.node.removeEventListener('mousedown', this);
    this.node.removeEventListener('dblclick', this);
    this.node.removeEventListener('contextmenu', this);
    if (this._frame) {
      cancelAnimationFrame(this._frame);
      this._frame = 0;
    }
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    this._draw();
  }

  protected onAfterShow(msg: Message): void {
    this._draw();
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case 'scroll':
        // One redraw per frame however many scroll events arrive.
        if (!this._frame) {
          this._frame = requestAnimationFrame(() => {
            this._frame = 0;
            this._draw();
          });
        }
        break;
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
      case 'mousedown':
      case 'contextmenu': {
        const index = this._indexAt(event.target);
        if (index >= 0) {
          this._select(index);
        }
        break;
      }
      case 'dblclick': {
        const index = this._indexAt(event.target);
        if (index >= 0) {
          this._activated.emit(this._renderer.keyOf(index));
        }
        break;
      }
    }
  }

  private _onKeyDown(event: KeyboardEvent): void {
    if (event.target !== this.node) {
      return; // keys typed into an inline control of a row
    }
    const page = Math.max(1, Math.floor(this.node.clientHeight / this._rowHeight) - 1);
    const current = this._indexOfKey(this._selectedKey);
    let next = -2;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(this._count - 1, current + 1);
        break;
      case 'ArrowUp':
        next = current < 0 ? 0 : Math.max(0, current - 1);
        break;
      case 'PageDown':
        next = Math.min(this._count - 1, Math.max(0, current) + page);
        break;
      case 'PageUp':
        next = Math.max(0, current - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this._count - 1;
        break;
      case 'Enter':
        if (current >= 0) {
          this._activated.emit(this._renderer.keyOf(current));
        }
        break;
      case 'Delete':
        if (current >= 0) {
          this._deleteRequested.emit(this._renderer.keyOf(current));
        }
        break;
      case 'F2':
        if (current >= 0) {
          this._renameRequested.emit(this._renderer.keyOf(current));
        }
        break;
      default:
        return;
    }
    // These keys belong to the list, not to JupyterLab's shortcuts.
    event.preventDefault();
    event.stopPropagation();
    if (next >= -1 && this._count > 0) {
      this._select(next, true);
    }
  }

  private _select(index: number, reveal = false): void {
    const key = index >= 0 && index < this._count ? this._renderer.keyOf(index) : null;
    if (reveal && key !== null) {
      const top = index * this._rowHeight;
      const bottom = top + this._rowHeight;
      if (top < this.node.scrollTop) {
        this.node.scrollTop = top;
      } else if (bottom > this.node.scrollTop + this.node.clientHeight) {
        this.node.scrollTop = bottom - this.node.clientHeight;
      }
    }
    if (key !== this._selectedKey) {
      this._selectedKey = key;
      this._selectionChanged.emit(key);
    }
    this._draw();
  }

  private _draw(): void {
    if (!this.isAttached || !this.isVisible) {
      return;
    }
    const height = this.node.clientHeight;
    const first = Math.max(0, Math.floor(this.node.scrollTop / this._rowHeight) - OVERSCAN);
    const last = Math.min(
      this._count,
      Math.ceil((this.node.scrollTop + height) / this._rowHeight) + OVERSCAN
    );
    const needed = Math.max(0, last - first);
    while (this._pool.length < needed) {
      const row = this._renderer.createRow();
      row.classList.add('jp-vmprof-browser-row');
      row.setAttribute('role', 'option');
      row.setAttribute('aria-selected', 'false');
      row.style.height = `${this._rowHeight}px`;
      this._pool.push(row);
      this.node.appendChild(row);
    }
    // Item `index` always lives in slot `index % pool size`, so while
    // scrolling a row keeps its item as long as it is in the window and only
    // the rows entering it are refilled (one or two per frame, not all).
    const size = this._pool.length;
    let active = '';
    for (let slot = 0; slot < size; slot++) {
      // The index in [first, last) that falls in this slot, if any.
      const index = first + ((slot - (first % size) + size) % size);
      const row = this._pool[slot];
      if (index >= last) {
        if (!row.hidden) {
          row.hidden = true;
          row.removeAttribute('id');
        }
        continue;
      }
      if (row.hidden) {
        row.hidden = false;
      }
      const key = this._renderer.keyOf(index);
      if (this._stale || row.dataset.index !== String(index) || row.dataset.key !== key) {
        row.style.transform = `translateY(${index * this._rowHeight}px)`;
        row.dataset.index = String(index);
        row.dataset.key = key;
        row.setAttribute('aria-posinset', String(index + 1));
        row.setAttribute('aria-setsize', String(this._count));
        this._renderer.updateRow(row, index);
      }
      const rowId = `${this.id || 'jp-vmprof-list'}-row-${slot}`;
      if (row.id !== rowId) {
        row.id = rowId; // attribute writes invalidate style even when equal
      }
      const selected = key === this._selectedKey;
      if (row.classList.contains('jp-mod-selected') !== selected) {
        row.setAttribute('aria-selected', String(selected));
        row.classList.toggle('jp-mod-selected', selected);
      }
      if (selected) {
        active = row.id;
      }
    }
    this._stale = false;
    if (active !== (this.node.getAttribute('aria-activedescendant') ?? '')) {
      if (active) {
        this.node.setAttribute('aria-activedescendant', active);
      } else {
        this.node.removeAttribute('aria-activedescendant');
      }
    }
  }

  private _indexAt(target: EventTarget | null): number {
    const row = (target as HTMLElement | null)?.closest?.('.jp-vmprof-browser-row') as
      | HTMLElement
      | null;
    if (!row || !this.node.contains(row) || row.dataset.index === undefined) {
      return -1;
    }
    return Number(row.dataset.index);
  }

  private _indexOfKey(key: string | null): number {
    if (key === null) {
      return -1;
    }
    for (let index = 0; index < this._count; index++) {
      if (this._renderer.keyOf(index) === key) {
        return index;
      }
    }
    return -1;
  }

  private _renderer: IRowRenderer;
  private _rowHeight: number;
  private _spacer: HTMLElement;
  private _pool: HTMLElement[] = [];
  private _count = 0;
  private _selectedKey: string | null = null;
  private _frame = 0;
  /** The items changed since the last draw: every visible row is refilled. */
  private _stale = true;
  private _selectionChanged = new Signal<this, string | null>(this);
  private _activated = new Signal<this, string>(this);
  private _deleteRequested = new Signal<this, string>(this);
  private _renameRequested = new Signal<this, string>(this);
}
