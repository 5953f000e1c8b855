/**
 * Comparisons of two profiles in the main area: one "A vs B" tab per
 * ordered pair, showing the DiffView on `GET profiles/<a>/diff/<b>`.
 * Comparing a pair that already has a tab brings that tab forward. The
 * view's "Include kernel threads" switch asks again with `kernel_threads=true`
 * (or without it); a failure keeps the comparison shown.
 */
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IDisposable } from '@lumino/disposable';

import { requestAPI } from '../handler';
import { IDiffJSON, isDiffJSON } from '../model/diff-json';
import { DiffView } from '../views/diff-widget';
import { profileIcon } from './icon';
import { IProfileMeta, messageOf } from './profile-list';
import type { ViewerProfile } from './viewer';

export type CompareViewer = MainAreaWidget<DiffView>;

/** The ids of a comparison tab, from its node (also what the layout restorer saves). */
export function comparedIds(viewer: CompareViewer): [string, string] {
  const data = viewer.content.node.dataset;
  return [data.profileA ?? '', data.profileB ?? ''];
}

export class CompareViewers implements IDisposable {
  constructor(
    private readonly _addToMainArea: (widget: CompareViewer) => void,
    private readonly _activate: (widget: CompareViewer) => void
  ) {}

  readonly tracker = new WidgetTracker<CompareViewer>({ namespace: 'jupyterlab-vmprof-compare' });

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  find(a: string, b: string): CompareViewer | undefined {
    return this.tracker.find(w => {
      const [ta, tb] = comparedIds(w);
      return ta === a && tb === b;
    });
  }

  /** Show A vs B (deltas are B − A), making the tab if there is none. */
  async open(a: ViewerProfile, b: ViewerProfile): Promise<CompareViewer> {
    const existing = this.find(a.id, b.id);
    if (existing) {
      this._activate(existing);
      return existing;
    }
    const content = new DiffView();
    content.node.dataset.profileA = a.id;
    content.node.dataset.profileB = b.id;
    const viewer = new MainAreaWidget({ content });
    viewer.id = `jp-vmprof-compare-${a.id}-${b.id}`;
    viewer.addClass('jp-vmprof-compare-viewer');
    viewer.title.icon = profileIcon;
    viewer.title.closable = true;
    this._names.set(viewer, [a, b]);
    this._retitle(viewer);
    this._addToMainArea(viewer);
    void this.tracker.add(viewer);
    this._activate(viewer);
    content.threads.changed.connect((_, include) => void this._switchKernelThreads(viewer, include));
    try {
      const diff = await fetchDiff(a.id, b.id, false);
      if (!content.isDisposed) {
        content.setDiff(diff, nameOf(a), nameOf(b));
      }
    } catch (error) {
      if (!content.isDisposed) {
        content.showMessage(`Cannot compare the profiles: ${messageOf(error)}`, true);
      }
    }
    return viewer;
  }

  /** A profile was renamed: the tabs that compare it follow. */
  renamed(meta: IProfileMeta): void {
    this.tracker.forEach(viewer => {
      const pair = this._names.get(viewer);
      if (pair && (pair[0].id === meta.id || pair[1].id === meta.id)) {
        this._names.set(viewer, [
          pair[0].id === meta.id ? meta : pair[0],
          pair[1].id === meta.id ? meta : pair[1]
        ]);
        this._retitle(viewer);
      }
    });
  }

  /** A profile was deleted: its comparisons have nothing left to show. */
  deleted(id: string): void {
    const gone: CompareViewer[] = [];
    this.tracker.forEach(viewer => {
      if (comparedIds(viewer).includes(id)) {
        gone.push(viewer);
      }
    });
    gone.forEach(viewer => viewer.dispose());
  }

  dispose(): void {
    if (!this._isDisposed) {
      this._isDisposed = true;
      this.tracker.dispose();
    }
  }

  /** The switch was flipped: the comparison with (or without) the kernel's threads replaces the one shown. */
  private async _switchKernelThreads(viewer: CompareViewer, include: boolean): Promise<void> {
    const content = viewer.content;
    const shown = content.diff;
    const [a, b] = this._names.get(viewer) ?? [];
    if (!shown || !a || !b) {
      return;
    }
    content.threads.setBusy();
    try {
      const diff = await fetchDiff(a.id, b.id, include);
      if (!content.isDisposed) {
        content.setDiff(diff, nameOf(a), nameOf(b));
        this._retitle(viewer);
      }
    } catch (error) {
      if (!content.isDisposed) {
        content.threads.fail(shown, `Cannot compare again: ${messageOf(error)}`);
      }
    }
  }

  private _retitle(viewer: CompareViewer): void {
    const [a, b] = this._names.get(viewer)!;
    viewer.title.label = `${nameOf(a)} vs ${nameOf(b)}`;
    // By default the server leaves each cell's kernel threads (heartbeat, IOPub, …) out of both sides, as the views do.
    const kernel = viewer.content.threads.checked ? 'included' : 'left out';
    viewer.title.caption = `A: ${nameOf(a)} (${a.id})\nB: ${nameOf(b)} (${b.id})\nΔ = B − A (a cell's kernel threads are ${kernel} on both sides)`;
  }

  private _names = new WeakMap<CompareViewer, [ViewerProfile, ViewerProfile]>();
  private _isDisposed = false;
}

/** `GET profiles/<a>/diff/<b>`, with every thread of both when `kernelThreads`. */
async function fetchDiff(a: string, b: string, kernelThreads: boolean): Promise<IDiffJSON> {
  const query = kernelThreads ? '?kernel_threads=true' : '';
  const diff = await requestAPI<unknown>(`profiles/${encodeURIComponent(a)}/diff/${encodeURIComponent(b)}${query}`);
  if (!isDiffJSON(diff)) {
    throw new Error('the server sent a comparison this version of the extension cannot read');
  }
  return diff;
}

function nameOf(profile: ViewerProfile): string {
  return profile.name || profile.id;
}
