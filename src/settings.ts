/**
 * The live view settings: a plain holder the settings plugin fills from
 * ISettingRegistry and the widgets listen to.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  DEFAULT_VIEW_SETTINGS,
  IViewSettings,
  IVmprofSettings,
  ProfileView
} from './tokens';

/** Limits that keep plotly responsive whatever the user types. */
const MAX_NODES_RANGE: [number, number] = [50, 5000];
const MAX_ROWS_RANGE: [number, number] = [10, 5000];

export class VmprofSettings implements IVmprofSettings {
  get current(): Readonly<IViewSettings> {
    return this._current;
  }

  get changed(): ISignal<this, Readonly<IViewSettings>> {
    return this._changed;
  }

  /** Apply raw values from the setting registry, ignoring invalid ones. */
  update(raw: Partial<Record<keyof IViewSettings, unknown>>): void {
    const next = sanitize(raw);
    const prev = this._current;
    if (
      next.defaultView === prev.defaultView &&
      next.minNodeFraction === prev.minNodeFraction &&
      next.maxNodes === prev.maxNodes &&
      next.maxTableRows === prev.maxTableRows
    ) {
      return;
    }
    this._current = Object.freeze(next);
    this._changed.emit(this._current);
  }

  private _current: Readonly<IViewSettings> = DEFAULT_VIEW_SETTINGS;
  private _changed = new Signal<this, Readonly<IViewSettings>>(this);
}

/** Valid settings from untrusted values, each falling back to its default. */
export function sanitize(
  raw: Partial<Record<keyof IViewSettings, unknown>>
): IViewSettings {
  const d = DEFAULT_VIEW_SETTINGS;
  const view: ProfileView =
    raw.defaultView === 'table' || raw.defaultView === 'flame'
      ? raw.defaultView
      : d.defaultView;
  return {
    defaultView: view,
    minNodeFraction: clampNumber(raw.minNodeFraction, 0, 0.5, d.minNodeFraction),
    maxNodes: Math.round(clampNumber(raw.maxNodes, ...MAX_NODES_RANGE, d.maxNodes)),
    maxTableRows: Math.round(
      clampNumber(raw.maxTableRows, ...MAX_ROWS_RANGE, d.maxTableRows)
    )
  };
}

function clampNumber(
  value: unknown,
  min: number,
  max: number,
  fallback: number
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, value));
}
