/**
 * The thread chooser's options and the graph request for a thread. Pure:
 * no DOM. Option texts are plain text for `<option>.textContent`.
 */
import type { IGraphProfile, IGraphThread, IKernelThreadCounts } from '../model/graph-json';
import { formatCount, formatPercent, roundedPercents } from './format';

export interface IThreadOption {
  /** The thread id, null for "all threads" (the cell's, when the kernel's are known), or KERNEL_THREADS. */
  id: string | null;
  /** `<option>` value: the id, '' for all threads, KERNEL_THREADS for all threads with the kernel's. */
  value: string;
  /** 'all threads', 'main', 'thread 2', … (the id when the converter gave no label). */
  label: string;
  samples: number;
  /**
   * Of the samples "all threads" holds (the cell's threads' when the kernel's
   * are left out); those threads' add up to exactly 100. NaN for a kernel
   * thread while the kernel's are left out: it is not part of that 100 %.
   */
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
export const CELL_THREADS_LABEL = "the cell's threads";
/**
 * The chooser's value (and a thread selection, for graphPath and exports)
 * for every thread, the kernel's own too. Not a thread id: ids are hex digits.
 */
export const KERNEL_THREADS = '+kernel';

/** "3 kernel threads" */
function kernelThreadCount(count: number): string {
  return `${formatCount(count)} kernel ${count === 1 ? 'thread' : 'threads'}`;
}

/**
 * What a view leaves out, for people: `3 kernel threads hidden, 412
 * samples`; null when nothing is (no kernel threads known, or included).
 */
export function hiddenThreadsText(profile: IGraphProfile): string | null {
  const kernel = profile.kernelThreads;
  if (!kernel || kernel.included || profile.thread !== null) {
    return null;
  }
  return kernelThreadsText(kernel);
}

/** `3 kernel threads hidden, 412 samples` (or `included`), as the summary and Compare say it. */
export function kernelThreadsText(kernel: IKernelThreadCounts): string {
  const samples = `${formatCount(kernel.samples)} ${kernel.samples === 1 ? 'sample' : 'samples'}`;
  return `${kernelThreadCount(kernel.threads)} ${kernel.included ? 'included' : 'hidden'}, ${samples}`;
}

/** The selection a graph was made for: its thread, KERNEL_THREADS, or null for the default. */
export function threadSelectionOf(profile: IGraphProfile | undefined | null): string | null {
  if (!profile) {
    return null;
  }
  return profile.thread ?? (profile.kernelThreads?.included ? KERNEL_THREADS : null);
}

/** The label people read for a thread: the converter's, else `thread <id>`. */
export function threadLabel(thread: { id: string; label?: string }): string {
  return thread.label || `thread ${thread.id}`;
}

/**
 * "All threads" first, then every thread with samples in the profile's
 * order. Percentages are of the samples "all threads" holds, so they do not
 * change with the thread shown. When the kernel recorded the cell's threads,
 * "all threads" is the cell's threads and a second entry adds the kernel's
 * own (profile.kernelThreads), whose threads are marked "kernel".
 */
export function threadOptions(profile: IGraphProfile): IThreadOption[] {
  const { threads, totalSamples, thread } = profile;
  const kernel = profile.kernelThreads;
  const hideKernel = kernel !== undefined && !kernel.included;
  const pool = threads.filter(t => !(hideKernel && t.kernel));
  const poolSamples = hideKernel ? totalSamples - kernel.samples : totalSamples;
  const percents = new Map<string, number>();
  roundedPercents(
    pool.map(t => t.samples),
    poolSamples
  ).forEach((p, i) => percents.set(pool[i].id, p));
  const heads =
    kernel === undefined
      ? [allThreads(ALL_THREADS_LABEL, '', totalSamples, threads.length, thread === null)]
      : [
          allThreads(CELL_THREADS_LABEL, '', poolSamples, pool.length, thread === null && !kernel.included),
          {
            ...allThreads(
              `${ALL_THREADS_LABEL} + kernel (${formatCount(kernel.threads)})`,
              KERNEL_THREADS,
              totalSamples,
              threads.length,
              thread === null && kernel.included
            ),
            id: KERNEL_THREADS
          }
        ];
  if (hideKernel && heads[0].selected) {
    heads[0].title = `${hiddenThreadsText(profile)}: the kernel's heartbeat, IOPub, control and history threads`;
  }
  return [
    ...heads,
    ...threads.map(t => {
      const label = kernelMarked(t);
      const percent = percents.get(t.id) ?? NaN;
      const share = Number.isNaN(percent) ? '' : ` — ${formatPercent(percent)}`;
      return {
        id: t.id,
        value: t.id,
        label,
        samples: t.samples,
        percent,
        text: `${label}${share} (${formatCount(t.samples)} samples)`,
        title: `thread id ${t.id}`,
        selected: thread === t.id
      };
    })
  ];
}

/** The thread's label, with " (kernel)" for a kernel thread whose label does not say so already. */
export function kernelMarked(thread: IGraphThread): string {
  const label = threadLabel(thread);
  return thread.kernel && !/kernel/.test(label) ? `${label} (kernel)` : label;
}

/** An "all threads" entry: `all threads (1,234 samples)`. */
function allThreads(label: string, value: string, samples: number, threads: number, selected: boolean): IThreadOption {
  return {
    id: null,
    value,
    label,
    samples,
    percent: samples > 0 ? 100 : 0,
    text: `${label} (${formatCount(samples)} samples)`,
    title: `${formatCount(threads)} ${threads === 1 ? 'thread' : 'threads'}`,
    selected
  };
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
 * threads, the cell's when the kernel's are known; KERNEL_THREADS: with the kernel's): '' when no thread and no option is given (the server's
 * defaults), else `?…` with a fixed key order, so that equal requests are
 * equal strings. Throws on an id the server would refuse, rather than
 * sending it.
 */
export function graphQuery(thread: string | null, options: IGraphRequestOptions = {}): string {
  const parts: string[] = [];
  if (thread === KERNEL_THREADS) {
    parts.push('kernel_threads=true');
  } else if (thread !== null && thread !== '') {
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
