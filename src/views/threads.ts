/**
 * The thread chooser's options and the graph request for a thread. Pure:
 * no DOM. Option texts are plain text for `<option>.textContent`.
 */
import type { IGraphProfile } from '../model/graph-json';
import { formatCount, formatPercent, roundedPercents } from './format';

export interface IThreadOption {
  /** The thread id, or null for "all threads". */
  id: string | null;
  /** `<option>` value: the id, '' for all threads. */
  value: string;
  /** 'all threads', 'main', 'thread 2', … (the id when the converter gave no label). */
  label: string;
  samples: number;
  /** Of all the file's samples; the threads' add up to exactly 100. */
  percent: number;
  /** `main — 48.7% (114 samples)`. */
  text: string;
  /** The id in full, for a tooltip (labels hide 15-digit ids). */
  title: string;
  /** The thread the graph was made for (all threads when profile.thread is null). */
  selected: boolean;
}

/**
 * Thread ids as the server accepts them (handlers.py THREAD_PATTERN); in the
 * merged profile of Dask workers, after the worker's label and '/'.
 */
const THREAD_ID = /^(worker [0-9]{1,4} \([^/\n]{0,200}\)\/)?(0x)?[0-9a-fA-F]{1,32}$/;
const PROCESS = /^(kernel|workers|worker-[0-9]{1,4})$/;

export const ALL_THREADS_LABEL = 'all threads';

/** The label people read for a thread: the converter's, else `thread <id>`. */
export function threadLabel(thread: { id: string; label?: string }): string {
  return thread.label || `thread ${thread.id}`;
}

/**
 * "All threads" first, then every thread with samples in the profile's
 * order. Percentages are of profile.totalSamples (the whole file), so they
 * do not change with the thread shown.
 */
export function threadOptions(profile: IGraphProfile): IThreadOption[] {
  const { threads, totalSamples, thread } = profile;
  const percents = roundedPercents(
    threads.map(t => t.samples),
    totalSamples
  );
  const all: IThreadOption = {
    id: null,
    value: '',
    label: ALL_THREADS_LABEL,
    samples: totalSamples,
    percent: totalSamples > 0 ? 100 : 0,
    text: `${ALL_THREADS_LABEL} (${formatCount(totalSamples)} samples)`,
    title: `${formatCount(threads.length)} ${threads.length === 1 ? 'thread' : 'threads'}`,
    selected: thread === null
  };
  return [
    all,
    ...threads.map((t, i) => {
      const label = threadLabel(t);
      return {
        id: t.id,
        value: t.id,
        label,
        samples: t.samples,
        percent: percents[i],
        text: `${label} — ${formatPercent(percents[i])} (${formatCount(t.samples)} samples)`,
        title: `thread id ${t.id}`,
        selected: thread === t.id
      };
    })
  ];
}

export interface IGraphRequestOptions {
  /** Drop the interpreter's and IPython's frames (server default true). */
  strip?: boolean;
  /** Drop Numba's dispatcher level (server default true). */
  collapseDispatcher?: boolean;
  /** Line-level frames (server default false). */
  lines?: boolean;
  /** A --workers profile's process: kernel (the default), workers, or worker-<n>. */
  process?: string;
}

/**
 * The query string of `GET profiles/<id>/graph` for `thread` (null: all
 * threads): '' when no thread and no option is given (the server's
 * defaults), else `?…` with a fixed key order, so that equal requests are
 * equal strings. Throws on an id the server would refuse, rather than
 * sending it.
 */
export function graphQuery(thread: string | null, options: IGraphRequestOptions = {}): string {
  const parts: string[] = [];
  if (thread !== null && thread !== '') {
    if (!THREAD_ID.test(thread)) {
      throw new Error(`not a thread id: ${JSON.stringify(thread)}`);
    }
    parts.push(`thread=${encodeURIComponent(thread)}`);
  }
  if (options.strip !== undefined) {
    parts.push(`strip=${options.strip}`);
  }
  if (options.collapseDispatcher !== undefined) {
    parts.push(`collapse_dispatcher=${options.collapseDispatcher}`);
  }
  if (options.lines !== undefined) {
    parts.push(`lines=${options.lines}`);
  }
  if (options.process !== undefined && options.process !== 'kernel') {
    if (!PROCESS.test(options.process)) {
      throw new Error(`not a process: ${JSON.stringify(options.process)}`);
    }
    parts.push(`process=${options.process}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The request path (for requestAPI) of the graph of profile `id`. */
export function graphPath(id: string, thread: string | null, options: IGraphRequestOptions = {}): string {
  return `profiles/${encodeURIComponent(id)}/graph${graphQuery(thread, options)}`;
}
