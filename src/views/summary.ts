/**
 * The one-line summary of a profile for the toolbar, and its tooltip. Pure.
 * Every number comes from the Graph JSON: the samples, the sampled time
 * (samples × the measured seconds per sample) and the measured duration.
 */
import type { IGraphJSON } from '../model/graph-json';
import type { IFlameView } from './flame';
import type { ICrashGuard } from '../tokens';
import { formatCount, formatPercent, formatSeconds } from './format';
import { hiddenThreadsText, threadLabel } from './threads';

/** What the sampled time measures: CPU time unless vmprof ran in real-time mode. */
export function sampledClock(graph: IGraphJSON): 'CPU' | 'wall' {
  return graph.profile.mode.realTime ? 'wall' : 'CPU';
}

/**
 * Seconds the view's samples stand for, or null when no time was measured.
 * In real-time mode every thread is sampled on the same wall clock, so the
 * threads' samples cover the same seconds: the view's wall time is its
 * busiest thread's, not the sum (a 0.8 s cell with six idle kernel threads
 * sampled along is 0.8 s of wall time, not 5 s).
 */
export function sampledSeconds(graph: IGraphJSON): number | null {
  const { samples, secondsPerSample, mode, thread, threads } = graph.profile;
  if (secondsPerSample === null || !Number.isFinite(secondsPerSample)) {
    return null;
  }
  // The threads the view holds: the kernel's own are not among them when left out.
  const shown = graph.profile.kernelThreads?.included === false ? threads.filter(t => !t.kernel) : threads;
  if (mode.realTime && thread === null && shown.length > 0) {
    return Math.max(...shown.map(t => t.samples)) * secondsPerSample;
  }
  return samples * secondsPerSample;
}

/**
 * `84 samples · 300 ms sampled CPU time · 663 ms wall` (never samples ×
 * the requested period); parts that were not measured say so.
 */
export function summaryText(graph: IGraphJSON): string {
  const { samples, durationSeconds, totalSamples, thread, threads } = graph.profile;
  const parts = [`${formatCount(samples)} samples`];
  const sampled = sampledSeconds(graph);
  if (sampled !== null) {
    parts.push(`${formatSeconds(sampled)} sampled ${sampledClock(graph)} time`);
  }
  parts.push(durationSeconds === null ? 'wall time not measured' : `${formatSeconds(durationSeconds)} wall`);
  let text = parts.join(' · ');
  if (thread !== null && totalSamples !== samples) {
    const shown = threads.find(t => t.id === thread);
    text += ` (${shown ? threadLabel(shown) : `thread ${thread}`}; ${formatCount(totalSamples)} in the file)`;
  }
  const hidden = hiddenThreadsText(graph.profile);
  return hidden ? `${text} · ${hidden}` : text;
}

/**
 * `3 dropped by the crash guard` when it dropped samples, `no crash guard`
 * when it was off where it is needed; '' otherwise (nothing to say).
 */
export function guardText(guard: ICrashGuard | null | undefined): string {
  if (!guard) {
    return '';
  }
  if (guard.dropped_samples > 0) {
    return `${formatCount(guard.dropped_samples)} dropped by the crash guard`;
  }
  return guard.active ? '' : 'no crash guard';
}

/** What guardText's words mean, for its tooltip. */
export function guardTooltip(guard: ICrashGuard | null | undefined): string {
  if (!guard) {
    return '';
  }
  const what =
    "The crash guard checks each sample's frames before vmprof reads them and drops the samples " +
    'taken while Python was entering a function called from C, which would crash CPython 3.11 and 3.12.';
  if (!guard.active) {
    return `${what}\nIt was off for this profile${guard.off_reason ? ` (${guard.off_reason})` : ''}.`;
  }
  return `${what}\nIt dropped ${formatCount(guard.dropped_samples)} samples of this profile.`;
}

const BASIS_TEXT: Record<IGraphJSON['profile']['timeBasis'], string> = {
  timestamps: "the samples' own timestamps",
  duration: "the profile's measured duration divided by its samples",
  none: 'nothing: no time was measured'
};

/** The toolbar summary's tooltip: what each number is and where it comes from. */
export function summaryTooltip(graph: IGraphJSON): string {
  const clock = sampledClock(graph);
  return [
    'samples: stacks vmprof recorded in this view.',
    `sampled ${clock} time: samples × the measured time per sample, estimated from ${
      BASIS_TEXT[graph.profile.timeBasis] ?? BASIS_TEXT.none
    }.`,
    clock === 'CPU'
      ? 'vmprof samples CPU time by default, so time spent waiting (sleep, I/O, locks) is not sampled.'
      : 'vmprof ran in real-time mode: waiting time is sampled too.',
    'wall: how long the profiled code ran, measured by the clock around it.',
    'Never computed as samples × the requested period: the timer can be coarser than requested.'
  ].join('\n');
}

/**
 * One line instead of an empty flame graph when no sample holds a frame of
 * the cell's code (a cell shorter than the sampling period), or null when
 * there is something to draw. Says the measured wall time and how to get
 * samples; a long cell that used no CPU time in CPU mode is told apart.
 */
export function shortCellText(graph: IGraphJSON): string | null {
  if (graph.tree.frame.length > 1) {
    return null;
  }
  const { durationSeconds, periodSeconds, samples } = graph.profile;
  const what = samples === 0 ? 'No samples' : `No sample holds a frame of the code (${formatCount(samples)} without)`;
  const ran = durationSeconds === null ? 'it ran too briefly' : `it ran for ${formatSeconds(durationSeconds)} wall`;
  const period = periodSeconds > 0 ? formatSeconds(periodSeconds) : 'the period';
  const waited = durationSeconds !== null && periodSeconds > 0 && durationSeconds > 20 * periodSeconds;
  if (waited && sampledClock(graph) === 'CPU') {
    return `${what}: ${ran} but used almost no CPU time, and vmprof samples CPU time; add --real-time to sample the waiting too.`;
  }
  return `${what}: ${ran}, less than the sampler needs (one sample per ${period} or more). To profile it, run its code in a loop (for _ in range(1000): …) or sample more often with --period ${
    periodSeconds > 0 ? Number((periodSeconds / 10).toPrecision(2)) : 0.0001
  }.`;
}

/**
 * The line under the flame graph: how to zoom, what share of the profile the
 * view holds, and what it does not draw (library frames folded by "My code
 * first", levels below the drawn ones, boxes too small to draw).
 */
export function flameNote(graph: IGraphJSON, view: IFlameView, foldedFrames: number | null): string {
  const total = graph.tree.total.length > 0 ? graph.tree.total[0] : 0;
  const share = formatPercent(total > 0 ? (view.viewTotal / total) * 100 : 0);
  const parts = [
    'Click a box to zoom in, the top box to zoom out.',
    `This view: ${formatCount(view.viewTotal)} samples (${share} of the profile).`
  ];
  if (foldedFrames !== null) {
    parts.push(`My code first: ${formatCount(foldedFrames)} library frames folded into "frames hidden" boxes.`);
  }
  if (view.deeperNodes > 0) {
    parts.push(`${formatCount(view.deeperNodes)} deeper call-tree nodes appear when you zoom in.`);
  }
  if (view.mergedNodes > 0) {
    const boxed = view.mergedNodes - view.unboxedNodes;
    const merged =
      boxed > 0
        ? `${formatCount(boxed)} call-tree nodes too small to draw are merged into ` +
          `${formatCount(view.mergedBoxes)} "smaller frames" boxes.`
        : '';
    const unboxed =
      view.unboxedNodes > 0
        ? `${formatCount(view.unboxedNodes)} ${boxed > 0 ? 'more' : 'call-tree nodes'}, ` +
          'too small even for such a box, are left as the gap under their parent.'
        : '';
    parts.push([merged, unboxed].filter(Boolean).join(' '));
  }
  return parts.join(' ');
}
