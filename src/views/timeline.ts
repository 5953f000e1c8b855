/**
 * Samples over time, per thread, with the process's memory (RSS) on a
 * second y axis when the profile recorded it. Pure: returns plain plotly
 * trace and layout objects, no DOM, no plotly import.
 *
 * Everything drawn is measured: per-bin sample counts and the maximum RSS
 * of each bin, from `graph.timeline` (src/model/timeline.ts). The x axis is
 * whatever the file's timestamps measured (CPU or wall-clock seconds), or
 * the samples' order when it has none, and the axis title says which.
 */
import type { IGraphJSON, IGraphTimeline, TimelineAxis } from '../model/graph-json';
import { escapePlotlyText, formatCount, formatEstimatedTime, formatSeconds } from './format';
import { ALL_THREADS_LABEL, hiddenThreadsText, kernelMarked } from './threads';

export type TimelineStyle = 'bars' | 'lines';

export interface ITimelineOptions {
  /** Stacked bars (default) or stacked areas. */
  style?: TimelineStyle;
  /** Colours for the threads, in `profile.threads` order (cycled); plotly's colorway if absent. */
  threadColors?: readonly string[];
  /** Colour of the RSS line; plotly's colorway if absent. */
  rssColor?: string;
}

interface ITraceBase {
  name: string;
  x: number[];
  hovertext: string[];
  hoverinfo: 'text';
  yaxis: 'y' | 'y2';
}

/** One thread's samples per bin as bars (stacked through layout.barmode). */
export interface ITimelineBarTrace extends ITraceBase {
  type: 'bar';
  y: number[];
  /** The bin width in axis units, so bars tile the axis with no gaps. */
  width: number;
  marker: { color?: string };
}

/** One thread's samples per bin as a stacked area, or the RSS line. */
export interface ITimelineLineTrace extends ITraceBase {
  type: 'scatter';
  mode: 'lines';
  /** null for an RSS bin without samples: a gap, not a zero. */
  y: (number | null)[];
  /** Stacks the threads' areas; absent for RSS. */
  stackgroup?: string;
  connectgaps: false;
  line: { shape: 'hv' | 'linear'; color?: string };
}

export type TimelineTrace = ITimelineBarTrace | ITimelineLineTrace;

/** The layout keys the timeline needs; the widget merges them into its own layout. */
export interface ITimelineLayout {
  barmode: 'stack';
  bargap: 0;
  xaxis: { title: { text: string }; rangemode: 'tozero' };
  yaxis: { title: { text: string }; rangemode: 'tozero' };
  yaxis2?: {
    title: { text: string };
    overlaying: 'y';
    side: 'right';
    rangemode: 'tozero';
    showgrid: false;
  };
  showlegend: boolean;
}

export interface ITimelineView {
  traces: TimelineTrace[];
  layout: ITimelineLayout;
  axis: TimelineAxis;
  axisTitle: string;
  /** Whether an RSS trace (on yaxis2) is included. */
  hasRss: boolean;
  /** Sentences for people about what the axes mean (may be empty). */
  notes: string[];
}

const AXIS_TITLES: Record<TimelineAxis, string> = {
  cpu: 'CPU time (s)',
  wall: 'wall-clock time (s)',
  'sample-index': 'sample order'
};

export const SAMPLES_AXIS_TITLE = 'samples per bin';
export const RSS_AXIS_TITLE = 'RSS (MB)';

/** The x axis title for a timeline axis. */
export function timelineAxisTitle(axis: TimelineAxis): string {
  return AXIS_TITLES[axis] ?? 'sample order';
}

/**
 * RSS in MB (10^6 bytes) from vmprof's kB, which are KiB: vmprof reads the
 * kernel's VmRSS, whose "kB" are 1024 bytes.
 */
export function rssKbToMB(kb: number): number {
  return (kb * 1024) / 1e6;
}

/** The timeline traces of `graph`, or null when it has no timeline. */
export function buildTimeline(
  graph: IGraphJSON,
  options: ITimelineOptions = {}
): ITimelineView | null {
  const timeline = graph.timeline;
  if (!timeline || timeline.binCount <= 0 || timeline.threads.length === 0) {
    return null;
  }
  const style = options.style ?? 'bars';
  const axisTitle = timelineAxisTitle(timeline.axis);
  const secondsPerSample = graph.profile.secondsPerSample;
  const { binCount, binWidth } = timeline;
  // Bars and areas sit at bin centres; a bar spans its whole bin.
  const centers = Array.from({ length: binCount }, (_, i) => (i + 0.5) * binWidth);
  const ranges = Array.from({ length: binCount }, (_, i) => binRange(timeline, i));
  const labels = new Map(graph.profile.threads.map(t => [t.id, kernelMarked(t)]));
  // The kernel's own threads are left out with the rest of the view (threads.ts hiddenThreadsText).
  const kernel = new Set(graph.profile.threads.filter(t => t.kernel).map(t => t.id));
  const hideKernel = graph.profile.kernelThreads?.included === false && graph.profile.thread === null;
  const shown = hideKernel ? timeline.threads.filter(t => !kernel.has(t.id)) : timeline.threads;

  const traces: TimelineTrace[] = shown.map((thread, t) => {
    const label = labels.get(thread.id) ?? `thread ${thread.id}`;
    const name = escapePlotlyText(label);
    const color = options.threadColors?.length
      ? options.threadColors[t % options.threadColors.length]
      : undefined;
    const counts = centers.map((_, i) => thread.counts[i] ?? 0);
    const hovertext = counts.map((count, i) => {
      const time = formatEstimatedTime(count, secondsPerSample);
      return `<b>${name}</b><br>${ranges[i]}<br>${formatCount(count)} samples${time ? ' ' + time : ''}`;
    });
    const base = { name, x: centers, hovertext, hoverinfo: 'text' as const, yaxis: 'y' as const };
    if (style === 'lines') {
      return {
        ...base,
        type: 'scatter',
        mode: 'lines',
        y: counts,
        stackgroup: 'threads',
        connectgaps: false,
        line: { shape: 'hv', ...(color ? { color } : {}) }
      };
    }
    return { ...base, type: 'bar', y: counts, width: binWidth, marker: color ? { color } : {} };
  });

  const rss = timeline.rssKb;
  const hasRss = rss !== null && rss.some(v => v !== null);
  if (hasRss) {
    const y = centers.map((_, i) => {
      const kb = rss[i];
      return kb === null || kb === undefined ? null : round(rssKbToMB(kb), 3);
    });
    traces.push({
      type: 'scatter',
      mode: 'lines',
      name: 'RSS (max per bin)',
      x: centers,
      y,
      yaxis: 'y2',
      connectgaps: false,
      line: { shape: 'linear', ...(options.rssColor ? { color: options.rssColor } : {}) },
      hoverinfo: 'text',
      hovertext: y.map((mb, i) =>
        mb === null
          ? `${ranges[i]}<br>no samples, no RSS`
          : `${ranges[i]}<br>max RSS ${mb.toFixed(1)} MB`
      )
    });
  }

  const layout: ITimelineLayout = {
    barmode: 'stack',
    bargap: 0,
    xaxis: { title: { text: axisTitle }, rangemode: 'tozero' },
    yaxis: { title: { text: SAMPLES_AXIS_TITLE }, rangemode: 'tozero' },
    showlegend: traces.length > 1
  };
  if (hasRss) {
    layout.yaxis2 = {
      title: { text: RSS_AXIS_TITLE },
      overlaying: 'y',
      side: 'right',
      rangemode: 'tozero',
      showgrid: false
    };
  }
  return {
    traces,
    layout,
    axis: timeline.axis,
    axisTitle,
    hasRss,
    notes: timelineNotes(graph, timeline, hasRss)
  };
}

/** "CPU time 120 ms – 135 ms" or "samples 28–55" (from 0, as on the axis) for bin `i`. */
function binRange(timeline: IGraphTimeline, i: number): string {
  if (timeline.unit === 'samples') {
    // Sample k (from 0) is in bin floor(k × binCount / n): integer
    // arithmetic, so no bin boundary lands one sample off by rounding.
    const n = Math.round(timeline.binCount * timeline.binWidth);
    const first = Math.ceil((i * n) / timeline.binCount);
    const last = Math.ceil(((i + 1) * n) / timeline.binCount) - 1;
    return last > first ? `samples ${formatCount(first)}–${formatCount(last)}` : `sample ${formatCount(first)}`;
  }
  const what = timeline.axis === 'cpu' ? 'CPU time' : 'time';
  return `${what} ${formatSeconds(i * timeline.binWidth)} – ${formatSeconds((i + 1) * timeline.binWidth)}`;
}

function timelineNotes(graph: IGraphJSON, timeline: IGraphTimeline, hasRss: boolean): string[] {
  const notes: string[] = [];
  if (timeline.axis === 'sample-index') {
    notes.push('This profile has no timestamps: the axis is the order of the samples, not time.');
  } else if (timeline.axis === 'cpu') {
    notes.push(
      "The axis is the process's CPU time: time spent waiting does not appear on it, and threads running at once advance it together."
    );
  }
  if (timeline.untimed > 0) {
    notes.push(
      `${formatCount(timeline.untimed)} ${
        timeline.untimed === 1 ? 'sample has' : 'samples have'
      } no valid timestamp and ${timeline.untimed === 1 ? 'is' : 'are'} left out.`
    );
  }
  if (graph.profile.thread !== null) {
    notes.push('The timeline shows every thread, whichever thread the other views show.');
  }
  const hidden = hiddenThreadsText(graph.profile);
  if (hidden) {
    notes.push(`${hidden}: the kernel's own threads, not the cell's; "${ALL_THREADS_LABEL} + kernel" shows them.`);
  }
  if (hasRss) {
    notes.push('RSS is the largest resident set size sampled in each bin.');
  }
  return notes;
}

function round(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(x * scale) / scale;
}
