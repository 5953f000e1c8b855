/**
 * Browser half of bench/flame_100k.mjs (bundled by it with esbuild): makes
 * the synthetic Graph JSON of synthetic_graph.ts with NODES tree nodes,
 * loads it into the real FlameView widget (plotly, DOM) and reports the time
 * to the first drawn view, where it went (from the User Timing marks the
 * views set), and how many nodes were merged or left below.
 */
import { Widget } from '@lumino/widgets';

import type { IGraphJSON } from '../src/model/graph-json';
import { FlameView } from '../src/views/flame-widget';
import { buildFlame, childrenOf, NO_LABEL } from '../src/views/flame';
import { FALLBACK_KIND_COLORS } from '../src/views/kinds';
import { MARKS } from '../src/views/plotly';
import { syntheticGraph } from './synthetic_graph';

/** Milliseconds at a User Timing mark of the last run (NaN if not set). */
function markTime(name: string): number {
  const entries = performance.getEntriesByName(name, 'mark');
  return entries.length > 0 ? entries[entries.length - 1].startTime : NaN;
}

/** The script resources fetched since `since`, summed (the plotly chunk on a cold page). */
function scriptsFetchedSince(since: number): { kB: number; fetchEnd: number } {
  let bytes = 0;
  let fetchEnd = NaN;
  for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    if (e.initiatorType === 'script' || e.name.endsWith('.js')) {
      if (e.startTime >= since) {
        bytes += e.encodedBodySize;
        fetchEnd = Number.isNaN(fetchEnd) ? e.responseEnd : Math.max(fetchEnd, e.responseEnd);
      }
    }
  }
  return { kB: bytes / 1024, fetchEnd };
}

(window as any).runFlameBench = async (nodes: number, maxNodes: number, minNodeFraction: number, keep = false) => {
  const graph = syntheticGraph(nodes);
  // Through JSON, as the widget gets it from the server.
  const text = JSON.stringify(graph);
  // The pure builder alone, on its own copy, for the breakdown.
  const copy = JSON.parse(text) as IGraphJSON;
  const b0 = performance.now();
  buildFlame(copy, { maxNodes, minNodeFraction, root: 0, maxDepth: 14, colors: { ...FALLBACK_KIND_COLORS } }, childrenOf(copy.tree.parent));
  const builderMs = performance.now() - b0;

  performance.clearMarks();
  await new Promise(resolve => setTimeout(resolve, 50)); // let GC and timers settle
  const t0 = performance.now();
  const parsed = JSON.parse(text) as IGraphJSON;
  const parsedAt = performance.now();
  const view = new FlameView();
  Widget.attach(view, document.body);
  const drawn = new Promise<void>(resolve => view.drawn.connect(() => resolve()));
  view.setGraph(parsed, { maxNodes, minNodeFraction });
  await drawn;
  // Until the browser has painted the first frame after the draw.
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const end = performance.now();
  const built = markTime(MARKS.flameBuilt);
  const ready = markTime(MARKS.plotlyReady);
  const drawnAt = markTime(MARKS.flameDrawn);
  // Set only when this run loaded plotly (the first of a page).
  const loadedHere = ready >= t0;
  const fetched = scriptsFetchedSince(t0);
  const v = view.view!;
  const note = document.querySelector('.jp-vmprof-flame-note')?.textContent ?? '';
  const boxes = document.querySelectorAll('.jp-vmprof-flame g.slice').length;
  const plotWidth = (document.querySelector('.jp-vmprof-flame') as HTMLElement | null)?.clientWidth ?? 0;
  if (!keep) {
    view.dispose(); // `keep`: left on the page, e.g. for a screenshot
  }
  return {
    nodes: parsed.tree.frame.length,
    frames: parsed.frames.length,
    jsonMB: text.length / 1e6,
    timeToFirstViewMs: end - t0,
    parseMs: parsedAt - t0,
    builderMs,
    // setGraph up to the trace built (children lists, buildFlame, DOM notes).
    buildMs: built - parsedAt,
    // Plotly fetched, compiled, evaluated: from its request (at setGraph) to ready.
    plotlyLoadMs: loadedHere ? ready - parsedAt : 0,
    plotlyFetchMs: loadedHere ? fetched.fetchEnd - parsedAt : 0,
    plotlyKB: fetched.kB,
    // Waiting for plotly once the trace was built.
    waitMs: loadedHere ? Math.max(0, ready - built) : 0,
    drawMs: drawnAt - Math.max(built, loadedHere ? ready : built),
    paintMs: end - drawnAt,
    boxesDrawn: boxes,
    // Labels given to plotly (the others cannot fit their box).
    labelled: v.trace.labels.filter(l => l !== NO_LABEL).length,
    plotWidth,
    mergedNodes: v.mergedNodes,
    mergedBoxes: v.mergedBoxes,
    deeperNodes: v.deeperNodes,
    note
  };
};
