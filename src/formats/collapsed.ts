/**
 * Profile → folded stacks ("collapsed" format of Brendan Gregg's
 * FlameGraph, also read by speedscope and inferno).
 * Format: https://github.com/brendangregg/FlameGraph#2-fold-stacks
 * One line per distinct stack: `outer;inner;leaf COUNT`.
 *
 * Losses: threads are merged (filter with `thread`), time order is lost.
 * A frame is written `name (file:line)`; `;` inside names becomes `:` and
 * line breaks become spaces, since both are separators of the format.
 * Samples with no frames at all are written as the stack `[no frames]`.
 */

import { IFrame, IProfile, framesOf } from '../model/profile';
import { ThreadFilter, countStacks } from '../model/call-graph';

export function toCollapsed(profile: IProfile, thread: ThreadFilter = null): string {
  const counts = countStacks(profile, thread);
  const label = profile.frames.map(frameLabel);
  const lines: string[] = [];
  for (let node = 0; node < counts.self.length; node++) {
    if (counts.self[node] > 0) {
      lines.push(`${framesOf(profile, node).map(f => label[f]).join(';')} ${counts.self[node]}`);
    }
  }
  if (counts.empty > 0) {
    lines.push(`[no frames] ${counts.empty}`);
  }
  lines.sort();
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

function frameLabel(f: IFrame): string {
  const text = f.file ? `${f.name} (${f.file}:${f.line})` : f.name;
  return text.replace(/;/g, ':').replace(/[\r\n]+/g, ' ');
}
