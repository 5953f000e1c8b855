/**
 * The live view settings: a plain holder the settings plugin fills from
 * ISettingRegistry and the widgets listen to.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  DEFAULT_VIEW_SETTINGS,
  EXPORT_FORMATS,
  ExportFormat,
  KindColorSettings,
  PROFILE_VIEWS,
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
    if (JSON.stringify(next) === JSON.stringify(prev)) {
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
  const view: ProfileView = PROFILE_VIEWS.includes(raw.defaultView as ProfileView)
    ? (raw.defaultView as ProfileView)
    : d.defaultView;
  const format: ExportFormat = EXPORT_FORMATS.includes(raw.defaultExportFormat as ExportFormat)
    ? (raw.defaultExportFormat as ExportFormat)
    : d.defaultExportFormat;
  return {
    defaultView: view,
    minNodeFraction: clampNumber(raw.minNodeFraction, 0, 0.5, d.minNodeFraction),
    maxNodes: Math.round(clampNumber(raw.maxNodes, ...MAX_NODES_RANGE, d.maxNodes)),
    maxTableRows: Math.round(
      clampNumber(raw.maxTableRows, ...MAX_ROWS_RANGE, d.maxTableRows)
    ),
    kindColors: sanitizeColors(raw.kindColors),
    defaultExportFormat: format
  };
}

/** A CSS colour: hex, rgb()/rgba()/hsl()/hsla() or a plain name; no url(), var() or ';'. */
const CSS_COLOR = /^(#[0-9a-fA-F]{3,8}|(rgb|rgba|hsl|hsla)\([0-9.,%\s/]+\)|[a-zA-Z]{3,30})$/;

function sanitizeColors(raw: unknown): KindColorSettings {
  const colors = { ...DEFAULT_VIEW_SETTINGS.kindColors };
  if (raw && typeof raw === 'object') {
    for (const kind of Object.keys(colors) as (keyof KindColorSettings)[]) {
      const value = (raw as Record<string, unknown>)[kind];
      // '' is a choice too: follow the JupyterLab theme.
      if (typeof value === 'string' && (value.trim() === '' || CSS_COLOR.test(value.trim()))) {
        colors[kind] = value.trim();
      }
    }
  }
  return Object.freeze(colors);
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
