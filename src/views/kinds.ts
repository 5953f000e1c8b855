/**
 * Frame kinds: their names for people and their colours. The colours live
 * in CSS variables on each profile output: the "Frame kind colours" setting
 * (whose defaults are the palette below) or, for a kind set to '', the
 * JupyterLab theme's (style/base.css). The widgets read them with
 * getComputedStyle and hand plain colours to the trace builders and the
 * legend, because plotly cannot resolve `var(--…)` itself.
 */
import type { FrameKind, IGraphFrame } from '../model/graph-json';
import { formatLocation } from './format';

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

/** The columns naming a function in the table, callers and callees rows. */
export interface IFunctionColumns {
  /** Index in graph.frames; -1 for a synthetic row (root caller, "other functions"). */
  frame: number;
  name: string;
  file: string;
  line: number;
  /** `file:line` as shown, '' when unknown. */
  location: string;
  /** null for a synthetic row. */
  kind: FrameKind | null;
  kindLabel: string;
}

/** The function at `index` of graph.frames, or a synthetic row named `name` when there is none. */
export function functionColumns(index: number, frame: IGraphFrame | undefined, name = ''): IFunctionColumns {
  if (!frame) {
    return { frame: -1, name, file: '', line: 0, location: '', kind: null, kindLabel: '' };
  }
  return {
    frame: index,
    name: frame.name,
    file: frame.file,
    line: frame.line,
    location: formatLocation(frame.file, frame.line),
    kind: frame.kind,
    kindLabel: kindLabel(frame.kind)
  };
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
