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

// The default palette is the settings' (tokens.ts): re-exported for the views.
import { FALLBACK_KIND_COLORS, type KindColors } from '../tokens';
export { FALLBACK_KIND_COLORS };
export type { KindColors };

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
