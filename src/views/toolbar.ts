/**
 * The parts of a profile's toolbar that only show data: the view switch,
 * the thread chooser, the search box and the frame-kind legend. DOM only;
 * what they show comes from the pure builders (threads.ts, legend.ts).
 */
import type { KindColorSettings, ProfileView } from '../tokens';
import { kindColorVariable } from './kinds';
import { button, element } from './dom';
import type { ILegendEntry } from './legend';
import type { IThreadOption } from './threads';
import type { IProcessOption } from './processes';

export const VIEW_LABELS: Readonly<Record<ProfileView, string>> = Object.freeze({
  flame: 'Flame',
  table: 'Table',
  callers: 'Callers',
  lines: 'Lines',
  timeline: 'Timeline'
});

const VIEW_TITLES: Readonly<Record<ProfileView, string>> = Object.freeze({
  flame: 'Flame graph (icicle): click a box to zoom and select its function',
  table: 'Top functions by self samples: click a row to select it',
  callers: 'Callers and callees of the selected function',
  lines: 'Per-line costs of the selected function (profiles taken with --lines)',
  timeline: 'Samples over time per thread, and memory when recorded'
});

/** The kind colours chosen in the settings, as CSS variables on `node` ('' leaves the theme's). */
export function setKindColors(node: HTMLElement, colors: Readonly<KindColorSettings>): void {
  for (const kind of Object.keys(colors) as (keyof KindColorSettings)[]) {
    const color = colors[kind];
    if (color) {
      node.style.setProperty(kindColorVariable(kind), color);
    } else {
      node.style.removeProperty(kindColorVariable(kind));
    }
  }
}

/** A chooser of the toolbar (thread, process), hidden until it has options. */
export function chooser(className: string, title: string, label: string): HTMLSelectElement {
  const select = element('select', className);
  select.title = title;
  select.setAttribute('aria-label', label);
  select.hidden = true;
  return select;
}

/** The view switch: one toggle button per view. */
export class ViewSwitch {
  readonly node = element('div', 'jp-vmprof-view-switch');

  constructor(onChoose: (view: ProfileView) => void) {
    this.node.setAttribute('role', 'group');
    this.node.setAttribute('aria-label', 'View');
    for (const view of Object.keys(VIEW_LABELS) as ProfileView[]) {
      const b = button('jp-vmprof-button', VIEW_LABELS[view], () => onChoose(view), VIEW_TITLES[view]);
      b.dataset.view = view;
      this._buttons.set(view, b);
      this.node.appendChild(b);
    }
  }

  /** Press the button of `view`. */
  setCurrent(view: ProfileView): void {
    for (const [v, b] of this._buttons) {
      b.setAttribute('aria-pressed', String(v === view));
    }
  }

  /** Hide the button of a view the profile has no data for. */
  setAvailable(view: ProfileView, available: boolean, why = ''): void {
    const b = this._buttons.get(view)!;
    b.hidden = !available;
    b.disabled = !available;
    if (!available && why) {
      b.title = why;
    }
  }

  private _buttons = new Map<ProfileView, HTMLButtonElement>();
}

/** Fill the thread `<select>` from threadOptions(); hidden for one thread. */
export function renderThreadOptions(select: HTMLSelectElement, options: IThreadOption[]): void {
  // options[0] is "all threads".
  select.hidden = options.length < 3;
  select.disabled = false;
  if (select.hidden) {
    select.replaceChildren();
    return;
  }
  select.replaceChildren(
    ...options.map(o => {
      const option = element('option', '', o.text);
      option.value = o.value;
      option.title = o.title;
      option.selected = o.selected;
      return option;
    })
  );
  select.value = options.find(o => o.selected)?.value ?? '';
}

/** The process chooser (processes.ts): shown only for a profile with Dask workers. */
export function renderProcessOptions(select: HTMLSelectElement, options: IProcessOption[], value: string): void {
  select.hidden = options.length === 0;
  select.replaceChildren(
    ...options.map(o => {
      const option = element('option', '', o.text);
      option.value = o.value;
      option.title = o.title;
      option.disabled = o.disabled;
      return option;
    })
  );
  select.value = value;
}

/** The legend: a swatch, the kind and its share of self samples per entry. */
export function renderLegend(container: HTMLElement, entries: ILegendEntry[]): void {
  container.replaceChildren(
    ...entries.map(entry => {
      const item = element('span', 'jp-vmprof-legend-item');
      item.dataset.kind = entry.kind;
      item.title = `${entry.text} — self samples: where this kind of code was running itself`;
      const swatch = element('span', 'jp-vmprof-swatch');
      swatch.style.background = entry.color;
      item.append(swatch, element('span', 'jp-vmprof-legend-label', `${entry.label} ${entry.percentText}`));
      return item;
    })
  );
}
