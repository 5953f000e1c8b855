/**
 * Tokens and shared types between the plugins of jupyterlab-vmprof.
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { FrameKind } from './model/graph-json';

/** MIME type of the profile outputs the `%%vmprof` magic publishes. */
export const PROFILE_MIME_TYPE =
  'application/vnd.jupyterlab-vmprof.profile+json';

/** The data under PROFILE_MIME_TYPE in a display_data bundle (version 1). */
export interface IProfileOutput {
  id: string;
  name: string;
  status: 'running' | 'complete' | 'failed' | 'interrupted' | string;
  /** Samples the kernel counted, or null if it did not count them. */
  samples: number | null;
  duration_s: number | null;
  warnings: string[];
  /** The crash guard, on the Pythons that need it (CPython 3.11, 3.12); absent elsewhere. */
  guard?: ICrashGuard | null;
  /** The Dask workers profiled with the cell (`%%vmprof --workers`), one part each. */
  workers?: IWorkerPart[] | null;
  version: number;
}

/** One Dask worker's part of a `%%vmprof --workers` profile (meta.json's `workers`). */
export interface IWorkerPart {
  address: string;
  host?: string;
  pid?: number | null;
  /** complete, failed, interrupted, or died (the worker left while profiled). */
  status: string;
  error?: string | null;
}

/**
 * What the kernel's crash guard did for one profile (meta.json's `guard`): it
 * drops the samples whose frames vmprof could not follow without crashing.
 */
export interface ICrashGuard {
  /** The guard stood in front of vmprof's signal handler while sampling. */
  active: boolean;
  /** Samples it dropped: taken while Python was entering a function called from C. */
  dropped_samples: number;
  /** Why it was off where it is needed. */
  off_reason?: string;
}

/** Which view a profile output opens with. */
export type ProfileView = 'flame' | 'table' | 'callers' | 'lines' | 'timeline';

export const PROFILE_VIEWS: readonly ProfileView[] = ['flame', 'table', 'callers', 'lines', 'timeline'];

/** What the export buttons can download (the server's export formats). */
import type { ExportFormat } from './formats/registry';
export type { ExportFormat };

export { EXPORT_FORMATS } from './formats/registry';

/** Frame kinds whose colour the user can set ('' follows the JupyterLab theme). */
export type KindColorSettings = Record<'python' | 'native' | 'jit' | 'interpreter' | 'unknown', string>;

/** The user settings that shape the views (schema/plugin.json). */
export interface IViewSettings {
  defaultView: ProfileView;
  /**
   * Call-tree nodes whose inclusive samples are below this fraction of the
   * view are merged into their parent's "N smaller frames" box.
   */
  minNodeFraction: number;
  /** At most this many boxes in one flame graph view (plotly's limit). */
  maxNodes: number;
  /** At most this many rows in the top-functions table. */
  maxTableRows: number;
  /** CSS colours per frame kind; '' follows the JupyterLab theme (style/base.css). */
  kindColors: Readonly<KindColorSettings>;
  /** The format the main export button downloads. */
  defaultExportFormat: ExportFormat;
}

/** One colour per frame kind, plus the "N smaller frames" boxes and the root. */
export type KindColors = Record<FrameKind | 'merged' | 'root', string>;

/**
 * The default palette: the setting's defaults (schema/plugin.json) for the
 * five kinds, and what the views use where no CSS applies (tests).
 */
export const FALLBACK_KIND_COLORS: Readonly<KindColors> = Object.freeze({
  python: '#4c8be2',
  native: '#e0883a',
  jit: '#3fa96b',
  interpreter: '#9e9e9e',
  unknown: '#b39ddb',
  merged: '#d9d9d9',
  root: '#bdbdbd'
});

/** The differential flame graph's colours (the Compare view). */
export interface IDiffFlameColors {
  /** A larger self share in B. */
  slower: string;
  /** A smaller self share in B. */
  faster: string;
  /** No change; every other colour is blended from this one. */
  neutral: string;
}

/**
 * Red and blue as in differential flame graphs; what the views use where no
 * CSS applies (tests). The widget reads the theme's (style/diff.css).
 */
export const FALLBACK_DIFF_FLAME_COLORS: Readonly<IDiffFlameColors> = Object.freeze({
  slower: '#d32f2f',
  faster: '#1976d2',
  neutral: '#e0e0e0'
});

export const DEFAULT_VIEW_SETTINGS: Readonly<IViewSettings> = Object.freeze({
  defaultView: 'flame',
  minNodeFraction: 0.001,
  maxNodes: 1500,
  maxTableRows: 200,
  // The palette above, so that boxes, table and legend agree with the
  // schema's defaults (ts-tests/views/kinds.test.ts).
  kindColors: Object.freeze({
    python: FALLBACK_KIND_COLORS.python,
    native: FALLBACK_KIND_COLORS.native,
    jit: FALLBACK_KIND_COLORS.jit,
    interpreter: FALLBACK_KIND_COLORS.interpreter,
    unknown: FALLBACK_KIND_COLORS.unknown
  }),
  defaultExportFormat: 'callgrind'
});

/** The current view settings, updated live when the user edits them. */
export interface IVmprofSettings {
  readonly current: Readonly<IViewSettings>;
  readonly changed: ISignal<IVmprofSettings, Readonly<IViewSettings>>;
}

export const IVmprofSettings = new Token<IVmprofSettings>(
  'jupyterlab-vmprof:IVmprofSettings',
  'The view settings of jupyterlab-vmprof, with a signal when they change.'
);
