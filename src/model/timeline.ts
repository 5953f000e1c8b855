/**
 * Samples over time: the data for a timeline chart (IGraphTimeline in
 * graph-json.ts), in fixed bins over the measured time axis.
 *
 * The axis is only ever what the file measured (design, "Truthfulness"):
 * the samples' own timestamps on their own clock (wall or process CPU
 * time), or, when the file has none, the samples' order, labelled as such
 * rather than stretched over the duration as if samples were evenly spaced.
 */

import { IGraphTimeline, TimelineAxis } from './graph-json';
import { IProfile } from './profile';

/** Enough bins for a chart a few hundred pixels wide. */
export const TIMELINE_BINS = 200;
/**
 * Bins of all threads together at most (fewer bins per thread when there are
 * many threads; at least one each): 200 bins for 200,000 threads made 95 MB
 * of Graph JSON. Example: 50,000 threads get 20 bins each.
 */
export const TIMELINE_CELLS = 1_000_000;
/**
 * Bins of all threads together per sample at most (but TIMELINE_BINS always
 * allowed), so that the bins cost O(samples), not O(threads × bins): 32,000
 * threads of one sample each get 4 bins each rather than 31, and ordinary
 * profiles (thousands of samples, a few threads) keep their 200.
 */
export const TIMELINE_CELLS_PER_SAMPLE = 4;

export function timeline(profile: IProfile, binTarget: number = TIMELINE_BINS): IGraphTimeline | null {
  const n = profile.sampleStack.length;
  if (n === 0) {
    return null;
  }
  const cells = Math.min(TIMELINE_CELLS, Math.max(TIMELINE_BINS, TIMELINE_CELLS_PER_SAMPLE * n));
  binTarget = Math.max(1, Math.min(binTarget, Math.floor(cells / Math.max(1, profile.threads.length))));
  const times = profile.sampleTime;
  const clock = profile.info.sampleClock ?? null;
  const binOf = times !== null ? timeBins(times, binTarget) : indexBins(n, binTarget);
  if (binOf === null) {
    // Timestamps exist but none is usable: fall back to sample order.
    return fill(profile, indexBins(n, binTarget), 'sample-index');
  }
  const axis: TimelineAxis = times === null ? 'sample-index' : clock === 'wall' ? 'wall' : 'cpu';
  return fill(profile, binOf, axis);
}

interface IBinning {
  /** Sample → bin, or -1 when the sample has no usable time. */
  bin: Int32Array;
  binCount: number;
  binWidth: number;
}

/** Bins over [first, last] timestamp; samples with a non-finite time get -1. */
function timeBins(times: Float64Array, binTarget: number): IBinning | null {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    if (Number.isFinite(t)) {
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
  }
  if (first === Infinity) {
    return null;
  }
  const span = last - first;
  // All samples at one instant: one bin; its width is then arbitrary (1 s).
  const binCount = span > 0 ? binTarget : 1;
  const binWidth = span > 0 ? span / binCount : 1;
  const bin = new Int32Array(times.length);
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    bin[i] = Number.isFinite(t) ? Math.min(binCount - 1, Math.floor(((t - first) / (span || 1)) * binCount)) : -1;
  }
  return { bin, binCount, binWidth };
}

/**
 * Bins over sample numbers 0 … n−1. The width may be fractional so that
 * every bin spans the same share of samples (counts differ by at most one).
 */
function indexBins(n: number, binTarget: number): IBinning {
  const binCount = Math.min(binTarget, n);
  const bin = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    bin[i] = Math.floor((i * binCount) / n);
  }
  return { bin, binCount, binWidth: n / binCount };
}

function fill(profile: IProfile, binning: IBinning, axis: TimelineAxis): IGraphTimeline {
  const { bin, binCount, binWidth } = binning;
  const counts = profile.threads.map(() => new Array<number>(binCount).fill(0));
  const rss = profile.sampleRss;
  const rssKb: (number | null)[] | null = rss ? new Array<number | null>(binCount).fill(null) : null;
  let untimed = 0;
  for (let i = 0; i < bin.length; i++) {
    const b = bin[i];
    if (b < 0) {
      untimed++;
      continue;
    }
    counts[profile.sampleThread[i]][b]++;
    if (rss && rssKb) {
      const old = rssKb[b];
      rssKb[b] = old === null ? rss[i] : Math.max(old, rss[i]);
    }
  }
  return {
    axis,
    unit: axis === 'sample-index' ? 'samples' : 'seconds',
    binCount,
    binWidth,
    threads: profile.threads.map((id, t) => ({ id, counts: counts[t] })),
    rssKb,
    rssStatistic: 'max',
    untimed
  };
}
