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
 *
 * No header: which threads the file holds is said by its name, not in it.
 * The format has no comment syntax its readers agree on. flamegraph.pl and
 * inferno take every line that ends in a number as a stack (two numbers as a
 * differential line) and count each other line as "invalid format", warning
 * about it on every run; speedscope skips such lines quietly. So a line like
 * `# threads: the cell's threads (3 kernel threads left out, 21 samples)`
 * would cost a warning, and one ending in a count would be drawn as a box.
 * The download is named instead (views/export.ts exportFileName, the
 * server's formats.thread_tag), e.g. for one thread:
 *
 *   20261202T081500-1a2b3c4d.thread-140432396218104.collapsed.txt
 *     <module> (cell.py:1);work (cell.py:3) 630
 *     <module> (cell.py:1);work (cell.py:4) 12
 *
 * and `.with-kernel-threads` when the kernel's own threads are in; no part
 * for the default (a cell's threads, or every thread of other profiles).
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
