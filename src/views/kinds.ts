/**
 * Frame kinds: their names for people and their colours. The colours live
 * in CSS variables on each profile output: the "Frame kind colours" setting
 * (whose defaults are the palette below) or, for a kind set to '', the
 * JupyterLab theme's (style/base.css). The widgets read them with
 * getComputedStyle and hand plain colours to the trace builders and the
 * legend, because plotly cannot resolve `var(--…)` itself.
 */
import type { FrameKind } from '../model/graph-json';

export const FRAME_KINDS: readonly FrameKind[] = [
  'python',
  'native',
  'jit',
  'interpreter',
  'unknown'
];

/** One colour per frame kind, plus the "N smaller frames" boxes and the root. */
export type KindColors = Record<FrameKind | 'merged' | 'root', string>;

/**
 * The default palette: the setting's defaults (tokens.ts, schema/plugin.json)
 * for the five kinds, and what the views use where no CSS applies (tests).
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

const KIND_LABELS: Record<FrameKind, string> = {
  python: 'Python',
  native: 'native',
  jit: 'JIT',
  interpreter: 'interpreter',
  unknown: 'unknown'
};

export function kindLabel(kind: FrameKind): string {
  return KIND_LABELS[kind] ?? 'unknown';
}

/** The CSS custom property holding the colour of `kind`. */
export function kindColorVariable(kind: keyof KindColors): string {
  return `--jp-vmprof-kind-${kind}`;
}

/** Colours from a lookup of CSS variables (getComputedStyle in the widgets). */
export function resolveKindColors(
  lookup: (variable: string) => string
): KindColors {
  const colors = { ...FALLBACK_KIND_COLORS };
  for (const key of Object.keys(colors) as (keyof KindColors)[]) {
    const value = lookup(kindColorVariable(key)).trim();
    if (value) {
      colors[key] = value;
    }
  }
  return colors;
}
