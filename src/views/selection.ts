/**
 * Which function the Callers and Lines views show before the user picks
 * one. Pure: no DOM.
 */
import type { IGraphJSON } from '../model/graph-json';

/**
 * The frame with the most self samples (ties: more inclusive samples, then
 * the lower index); with `withLines`, only frames that have per-line costs.
 * -1 when there is none.
 */
export function heaviestFrame(graph: IGraphJSON, withLines = false): number {
  let best = -1;
  graph.frames.forEach((frame, i) => {
    if (withLines && !graph.lines?.[String(i)]) {
      return;
    }
    const current = best >= 0 ? graph.frames[best] : null;
    if (
      !current ||
      frame.self > current.self ||
      (frame.self === current.self && frame.total > current.total)
    ) {
      best = i;
    }
  });
  return best;
}
