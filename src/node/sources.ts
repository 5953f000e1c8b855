/**
 * Source text for the Lines view: for each function with line data (Graph
 * JSON `lines`), the lines of its file that carry costs plus a little
 * context, read when the file is readable (ipykernel keeps a cell's code in
 * /tmp/ipykernel_<pid>/<hash>.py while the kernel lives; scripts and
 * libraries are plain files). Bounded per function and in total.
 */
import { readFileSync, statSync } from 'fs';
import type { IGraphJSON, IGraphSource } from '../model/graph-json';

/** Lines of context above and below the lines with costs. */
export const SOURCE_CONTEXT = 2;
/** At most this many lines of one function. */
export const SOURCE_MAX_LINES_PER_FUNCTION = 300;
/** At most this many lines in one profile. */
export const SOURCE_MAX_LINES_TOTAL = 5000;
/** Files larger than this are not read. */
export const SOURCE_MAX_FILE_BYTES = 4 * 1024 * 1024;
/** A line longer than this is cut. */
export const SOURCE_MAX_LINE_CHARS = 400;

/**
 * `sources` for Graph JSON: frame index (decimal string) -> the span of its
 * file's lines from `first`, or nothing for a frame whose file is unreadable.
 */
export function readSources(graph: IGraphJSON): Record<string, IGraphSource> {
  const out: Record<string, IGraphSource> = {};
  if (!graph.lines) {
    return out;
  }
  const files = new Map<string, string[] | null>();
  let budget = SOURCE_MAX_LINES_TOTAL;
  for (const [key, costs] of Object.entries(graph.lines)) {
    const frame = graph.frames[Number(key)];
    if (!frame || !frame.file || costs.line.length === 0 || budget <= 0) {
      continue;
    }
    if (!files.has(frame.file)) {
      files.set(frame.file, readLines(frame.file));
    }
    const text = files.get(frame.file);
    if (!text) {
      continue;
    }
    const lines = costs.line.filter(n => n > 0 && n <= text.length);
    if (lines.length === 0) {
      continue;
    }
    const first = Math.max(1, Math.min(...lines) - SOURCE_CONTEXT);
    const last = Math.min(text.length, Math.max(...lines) + SOURCE_CONTEXT, first - 1 + Math.min(SOURCE_MAX_LINES_PER_FUNCTION, budget));
    const span = text.slice(first - 1, last).map(line =>
      line.length > SOURCE_MAX_LINE_CHARS ? line.slice(0, SOURCE_MAX_LINE_CHARS) + '…' : line
    );
    budget -= span.length;
    out[key] = { first, text: span };
  }
  return out;
}

function readLines(path: string): string[] | null {
  try {
    if (!statSync(path).isFile() || statSync(path).size > SOURCE_MAX_FILE_BYTES) {
      return null;
    }
    return readFileSync(path, 'utf-8').replace(/\r\n?/g, '\n').split('\n');
  } catch {
    return null;
  }
}
