/**
 * The one-line summary of a profile for the toolbar. Pure.
 */
import type { IGraphJSON } from '../model/graph-json';
import { formatCount, formatSeconds } from './format';

/** "N samples, T s" from the measured duration (never samples × period). */
export function summaryText(graph: IGraphJSON): string {
  const { samples, durationSeconds, totalSamples, thread } = graph.profile;
  let text = `${formatCount(samples)} samples, ${
    durationSeconds === null ? 'duration not measured' : formatSeconds(durationSeconds)
  }`;
  if (thread !== null && totalSamples !== samples) {
    text += ` (thread ${thread}; ${formatCount(totalSamples)} in the file)`;
  }
  return text;
}
