/**
 * Per-thread facts for the thread picker: sample counts and a label people
 * can read instead of a 15-digit thread id.
 */

import { ThreadFilter, threadMask } from './call-graph';
import { IProfile } from './profile';

export interface IThreadSummary {
  /** Thread id as recorded. */
  id: string;
  samples: number;
  label: string;
}

/**
 * Every thread with samples, in order of first sample. The main thread is
 * the one running the notebook cell or the script: the thread with most
 * samples whose stack holds a Python `<module>` frame (a cell's code, or
 * the script's top level). It is labelled 'main' and the others 'thread 2',
 * 'thread 3', … ; with no such thread, all are numbered from 'thread 1'.
 */
export function threadSummaries(profile: IProfile): IThreadSummary[] {
  const samples = new Array<number>(profile.threads.length).fill(0);
  const moduleSamples = new Array<number>(profile.threads.length).fill(0);
  const hasModule = modulePresence(profile);
  for (let i = 0; i < profile.sampleThread.length; i++) {
    const t = profile.sampleThread[i];
    samples[t]++;
    const node = profile.sampleStack[i];
    if (node >= 0 && hasModule[node]) {
      moduleSamples[t]++;
    }
  }
  let main = -1;
  moduleSamples.forEach((count, t) => {
    if (count > 0 && (main < 0 || count > moduleSamples[main])) {
      main = t;
    }
  });
  let next = main >= 0 ? 2 : 1;
  return profile.threads.map((id, t) => ({
    id,
    samples: samples[t],
    label: withProcess(id, t === main ? 'main' : `thread ${next++}`)
  }));
}

/** In a merged profile (model/merge.ts) a thread id starts with its process: say which. */
function withProcess(id: string, label: string): string {
  const slash = id.lastIndexOf('/');
  return slash > 0 ? `${id.slice(0, slash)}: ${label}` : label;
}

/** Per stack node: does the stack up to it hold a Python `<module>` frame? */
function modulePresence(profile: IProfile): Uint8Array {
  const isModule = profile.frames.map(f => f.name === '<module>' && (f.kind === 'python' || f.kind === 'unknown'));
  const out = new Uint8Array(profile.stackFrame.length);
  // Parents come before children, so one forward sweep suffices.
  for (let node = 0; node < out.length; node++) {
    const parent = profile.stackParent[node];
    out[node] = isModule[profile.stackFrame[node]] || (parent >= 0 && out[parent] === 1) ? 1 : 0;
  }
  return out;
}

/** The kernel's own threads in a cell's profile: those not the cell's (kernel/threads.py). */
export interface IKernelThreads {
  /** Whether the selection holds them ("all threads + kernel") or leaves them out (the default). */
  included: boolean;
  /** Their ids as recorded, in profile order. */
  ids: string[];
  /** Their samples. */
  samples: number;
}

export interface IThreadSelection {
  /** What to count: one thread, the cell's threads, or null for every thread. */
  filter: ThreadFilter;
  /** Present when the profile has threads of the cell's and of the kernel's own. */
  kernelThreads?: IKernelThreads;
}

/**
 * The samples a view or an export holds. `thread` (one id) wins; else, when
 * the kernel recorded the cell's threads (`cellThreads`, meta.json
 * threads.cell_ids), "all threads" means the cell's threads unless
 * `includeKernel`: the kernel's heartbeat, IOPub, control and history
 * threads are not the cell's work, and in real-time mode they are sampled
 * while they wait. Without cell threads (older profiles, scripts, imported
 * files), or when none of them has samples, every thread counts as before.
 */
export function selectThreads(
  profile: IProfile,
  thread: string | null,
  cellThreads: readonly string[] | null,
  includeKernel: boolean
): IThreadSelection {
  const cell = new Set(cellThreads ?? []);
  const kernelIds = profile.threads.filter(id => !cell.has(id));
  if (cell.size === 0 || kernelIds.length === profile.threads.length || kernelIds.length === 0) {
    return { filter: thread };
  }
  const isKernel = Uint8Array.from(profile.threads, id => (cell.has(id) ? 0 : 1));
  let samples = 0;
  for (let i = 0; i < profile.sampleThread.length; i++) {
    samples += isKernel[profile.sampleThread[i]];
  }
  const filter = thread ?? (includeKernel ? null : profile.threads.filter(id => cell.has(id)));
  return { filter, kernelThreads: { included: includeKernel, ids: kernelIds, samples } };
}

/**
 * Which threads an export holds, for its header: `thread 1403…`, `the cell's
 * threads (3 kernel threads left out, 412 samples)`, `all threads (3 of them
 * the kernel's own)`, or `all threads`.
 */
export function describeSelection(selection: IThreadSelection): string {
  const { filter, kernelThreads } = selection;
  if (typeof filter === 'string') {
    return `thread ${filter}`;
  }
  if (kernelThreads === undefined) {
    return 'all threads';
  }
  const n = kernelThreads.ids.length;
  const threads = `${n} kernel ${n === 1 ? 'thread' : 'threads'}`;
  return kernelThreads.included
    ? `all threads (${threads} included, ${kernelThreads.samples} samples)`
    : `the cell's threads (${threads} left out, ${kernelThreads.samples} samples)`;
}

/**
 * The profile with only the samples of the threads `filter` keeps (frames,
 * stacks and thread ids unchanged): for what counts every sample, such as a
 * comparison of two cells' profiles without the kernel's threads.
 */
export function keepThreads(profile: IProfile, filter: ThreadFilter): IProfile {
  const mask = threadMask(profile, filter);
  if (mask === null) {
    return profile;
  }
  const keep: number[] = [];
  profile.sampleThread.forEach((t, i) => {
    if (mask[t] === 1) {
      keep.push(i);
    }
  });
  const pick = <T extends Int32Array | Float64Array>(values: T, make: (n: number) => T): T => {
    const out = make(keep.length);
    keep.forEach((i, k) => (out[k] = values[i]));
    return out;
  };
  return {
    ...profile,
    sampleStack: pick(profile.sampleStack, n => new Int32Array(n)),
    sampleThread: pick(profile.sampleThread, n => new Int32Array(n)),
    sampleRss: profile.sampleRss && pick(profile.sampleRss, n => new Float64Array(n)),
    sampleTime: profile.sampleTime && pick(profile.sampleTime, n => new Float64Array(n))
  };
}
