/**
 * The frame-kind legend: one entry per kind with its colour (the same as
 * the flame graph's boxes) and how many samples that kind of code was
 * running itself (self samples), so the legend says where the time went:
 * Python, native (C, BLAS), JIT (Numba), the interpreter, or unknown.
 * Pure: no DOM, no plotly.
 *
 * The percentages are of the view's samples and add up to exactly 100.0:
 * every sample has one innermost frame, of one kind, or none (all its
 * frames were stripped), which gets its own entry when there are such
 * samples, as in the table.
 */
import type { FrameKind, IGraphJSON } from '../model/graph-json';
import { formatCount, formatEstimatedTime, formatPercent, roundedPercents } from './format';
import { FALLBACK_KIND_COLORS, FRAME_KINDS, KindColors, kindLabel } from './kinds';

/** The entry for samples whose stack had no frame left. */
export const NO_FRAME_KIND = 'none';
export const NO_FRAME_LABEL = 'no frame';

export interface ILegendEntry {
  kind: FrameKind | typeof NO_FRAME_KIND;
  /** 'Python', 'native', 'JIT', 'interpreter', 'unknown', 'no frame'. */
  label: string;
  color: string;
  /** Self samples of this kind's frames. */
  samples: number;
  /** Of the view's samples, one decimal; all entries add up to exactly 100. */
  percent: number;
  percentText: string;
  samplesText: string;
  /** Estimated from the measured time per sample, '' when none was measured. */
  timeText: string;
  /** `Python 62.3% (472 samples ≈ 1.88 s)`, plain text. */
  text: string;
}

export interface ILegendOptions {
  colors?: KindColors;
  /** Leave out kinds with no frames in the profile (default: keep all five). */
  hideAbsent?: boolean;
}

/** Self samples by frame kind, in FRAME_KINDS order, plus the frameless samples. */
export function selfSamplesByKind(graph: IGraphJSON): { byKind: Record<FrameKind, number>; noFrame: number } {
  const byKind = Object.fromEntries(FRAME_KINDS.map(k => [k, 0])) as Record<FrameKind, number>;
  for (const frame of graph.frames) {
    // A kind this version does not know is 'unknown' to the legend too.
    const kind = FRAME_KINDS.includes(frame.kind) ? frame.kind : 'unknown';
    byKind[kind] += frame.self;
  }
  const noFrame = graph.tree.self.length > 0 ? graph.tree.self[0] : 0;
  return { byKind, noFrame };
}

export function buildLegend(graph: IGraphJSON, options: ILegendOptions = {}): ILegendEntry[] {
  const colors = options.colors ?? FALLBACK_KIND_COLORS;
  const { byKind, noFrame } = selfSamplesByKind(graph);
  const present = new Set(graph.frames.map(f => f.kind));
  const kinds = FRAME_KINDS.filter(k => !options.hideAbsent || present.has(k) || byKind[k] > 0);

  const parts: { kind: ILegendEntry['kind']; label: string; color: string; samples: number }[] =
    kinds.map(kind => ({ kind, label: kindLabel(kind), color: colors[kind], samples: byKind[kind] }));
  if (noFrame > 0) {
    parts.push({ kind: NO_FRAME_KIND, label: NO_FRAME_LABEL, color: colors.root, samples: noFrame });
  }
  // The view's samples; equal to the parts' sum by the contract (each
  // sample has one innermost frame or none). Entries hidden by hideAbsent
  // hold no samples, so the sum still makes the whole.
  const viewTotal = graph.tree.total.length > 0 ? graph.tree.total[0] : graph.profile.samples;
  const percents = roundedPercents(
    parts.map(p => p.samples),
    viewTotal
  );
  const secondsPerSample = graph.profile.secondsPerSample;
  return parts.map((p, i) => {
    const samplesText = formatCount(p.samples);
    const timeText = formatEstimatedTime(p.samples, secondsPerSample);
    const percentText = formatPercent(percents[i]);
    return {
      ...p,
      percent: percents[i],
      percentText,
      samplesText,
      timeText,
      text: `${p.label} ${percentText} (${samplesText} samples${timeText ? ' ' + timeText : ''})`
    };
  });
}
