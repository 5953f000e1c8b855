/**
 * The time-ordered flame chart (speedscope's "Time Order"): one thread's
 * stacks left to right as they happened, outermost frame on top. Pure:
 * returns a plotly horizontal bar trace and layout, no DOM.
 *
 * Built from `graph.timeOrder` (src/model/time-order.ts): each run is a
 * stack held by consecutive samples; at each depth, consecutive runs that
 * share the same call-tree node there are one span, as in a flame chart.
 * A selected function's spans keep their colour, the others are dimmed.
 */
import type { IGraphJSON } from '../model/graph-json';
import { escapePlotlyText, formatCount, formatSeconds } from './format';
import { FALLBACK_KIND_COLORS, KindColors, kindLabel } from './kinds';
import { dimColor } from './search';
import { threadLabel } from './threads';
import { fitLabel } from './labels';

/** Levels drawn; deeper frames are in the flame graph. */
export const TIME_ORDER_LEVELS = 30;
/** Pixels one row of the chart takes. */
export const TIME_ORDER_ROW_PX = 18;

export interface ITimeOrderOptions {
  colors?: KindColors;
  /** graph.frames index whose spans are highlighted; -1 for none. */
  selected?: number;
  /** Width of the plot in pixels, to cut labels that do not fit. */
  plotWidth?: number;
}

export interface ITimeOrderSpan {
  /** Call-tree node and its frame (graph.frames index). */
  node: number;
  frame: number;
  depth: number;
  start: number;
  end: number;
  samples: number;
}

export interface ITimeOrderView {
  spans: ITimeOrderSpan[];
  trace: {
    type: 'bar';
    orientation: 'h';
    y: number[];
    x: number[];
    base: number[];
    text: string[];
    hovertext: string[];
    hoverinfo: 'text';
    textposition: 'inside';
    insidetextanchor: 'start';
    marker: { color: string[]; line: { width: number; color: string } };
  };
  layout: Record<string, unknown>;
  height: number;
  /** Sentences about the axis, the thread and any coarsening. */
  notes: string[];
}

const AXIS_TITLE = { cpu: 'CPU time (s)', wall: 'wall-clock time (s)', 'sample-index': 'sample order' };

/** Spans per depth from the runs: consecutive runs under the same node at a depth are one span. */
export function timeOrderSpans(graph: IGraphJSON, maxDepth = TIME_ORDER_LEVELS): ITimeOrderSpan[] {
  const order = graph.timeOrder;
  if (!order) {
    return [];
  }
  const spans: ITimeOrderSpan[] = [];
  const open: (ITimeOrderSpan | null)[] = [];
  for (let run = 0; run < order.node.length; run++) {
    const start = order.start[run];
    const end = run + 1 < order.node.length ? order.start[run + 1] : order.end;
    const path: number[] = [];
    for (let n = order.node[run]; n > 0; n = graph.tree.parent[n]) {
      path.push(n);
    }
    path.reverse();
    for (let depth = 0; depth < Math.max(path.length, open.length); depth++) {
      const node = depth < path.length && depth < maxDepth ? path[depth] : -1;
      const span = open[depth] ?? null;
      if (span && span.node === node) {
        span.end = end;
        span.samples += order.samples[run];
        continue;
      }
      open[depth] = null;
      if (node >= 0) {
        const fresh = { node, frame: graph.tree.frame[node], depth, start, end, samples: order.samples[run] };
        spans.push(fresh);
        open[depth] = fresh;
      }
    }
  }
  return spans;
}

export function buildTimeOrder(graph: IGraphJSON, options: ITimeOrderOptions = {}): ITimeOrderView | null {
  const order = graph.timeOrder;
  const spans = timeOrderSpans(graph);
  if (!order || spans.length === 0) {
    return null;
  }
  const colors = options.colors ?? FALLBACK_KIND_COLORS;
  const selected = options.selected ?? -1;
  const levels = 1 + Math.max(...spans.map(s => s.depth));
  const span = order.end || 1;
  const seconds = order.unit === 'seconds';
  const trace: ITimeOrderView['trace'] = {
    type: 'bar',
    orientation: 'h',
    y: [],
    x: [],
    base: [],
    text: [],
    hovertext: [],
    hoverinfo: 'text',
    textposition: 'inside',
    insidetextanchor: 'start',
    marker: { color: [], line: { width: 0.5, color: 'rgba(255,255,255,0.6)' } }
  };
  for (const s of spans) {
    const frame = graph.frames[s.frame];
    const name = frame?.name ?? '?';
    const width = s.end - s.start;
    trace.y.push(s.depth);
    trace.base.push(s.start);
    trace.x.push(width);
    const px = options.plotWidth ? (width / span) * options.plotWidth : Infinity;
    trace.text.push(escapePlotlyText(fitLabel(name, px)));
    const when = seconds
      ? `${formatSeconds(s.start)} → ${formatSeconds(s.end)} (${formatSeconds(width)})`
      : `samples ${formatCount(s.start)} → ${formatCount(s.end)}`;
    trace.hovertext.push(
      [
        `<b>${escapePlotlyText(name)}</b>`,
        escapePlotlyText(`${frame?.file || 'unknown location'} · ${kindLabel(frame?.kind ?? 'unknown')}`),
        `${when} · ${formatCount(s.samples)} samples`
      ].join('<br>')
    );
    const color = colors[frame?.kind ?? 'unknown'] ?? colors.unknown;
    trace.marker.color.push(selected >= 0 && s.frame !== selected ? dimColor(color) : color);
  }
  const height = Math.max(120, levels * TIME_ORDER_ROW_PX + 60);
  const thread = graph.profile.threads.find(t => t.id === order.thread);
  const notes = [
    `Stacks of ${thread ? threadLabel(thread) : `thread ${order.thread}`} in the order they were sampled, left to right; click a box to select its function.`
  ];
  if (order.axis === 'cpu') {
    notes.push('The axis is the CPU time of the process, not wall-clock time: time spent waiting does not appear (use --real-time for wall-clock time).');
  } else if (order.axis === 'sample-index') {
    notes.push('This file has no timestamps: the axis is the order of the samples, not time.');
  }
  if (order.coarsened) {
    notes.push('Coarsened to stay small: each box holds only the frames that all the samples of its stretch shared.');
  }
  if (levels >= TIME_ORDER_LEVELS) {
    notes.push(`Only the ${TIME_ORDER_LEVELS} outermost levels are drawn; the flame graph has them all.`);
  }
  return {
    spans,
    trace,
    layout: {
      barmode: 'overlay',
      bargap: 0,
      showlegend: false,
      uniformtext: { minsize: 8, mode: 'hide' },
      xaxis: { title: { text: AXIS_TITLE[order.axis] }, range: [0, span], zeroline: false },
      yaxis: { autorange: 'reversed', showticklabels: false, showgrid: false, zeroline: false, fixedrange: true },
      margin: { l: 8, r: 8, t: 8, b: 40 }
    },
    height,
    notes
  };
}
