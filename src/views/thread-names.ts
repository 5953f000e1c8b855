/**
 * Real thread names in the views: the kernel records the name and vmprof id
 * of the thread that ran the cell and of each thread the cell started
 * (kernel/threads.py, meta.json "threads"); a thread of the profile that is
 * none of them is one of the kernel's own (heartbeat, IOPub, control,
 * history), whose ids Python cannot learn. Pure: the labels of a Graph
 * JSON's threads, which the thread chooser, the timeline's legend and the
 * time order all show.
 */
import type { IGraphJSON } from '../model/graph-json';
import { threadLabel } from './threads';

export const KERNEL_THREAD = "the kernel's own";

export interface IThreadNames {
  /** vmprof thread id (decimal string) → the thread's name. */
  names: Map<string, string>;
  /** Whether the cell's threads are all known, so that any other thread is the kernel's. */
  complete: boolean;
}

interface IThreadInfo {
  name?: unknown;
  vmprof_id?: unknown;
}

/** The names in a profile's metadata (GET profiles/<id>); nothing known for anything else. */
export function threadNamesFromMeta(meta: unknown): IThreadNames {
  const threads = (meta as { threads?: { main?: IThreadInfo; started?: IThreadInfo[] } } | null)?.threads;
  const names = new Map<string, string>();
  const infos = [threads?.main, ...(Array.isArray(threads?.started) ? threads!.started : [])];
  let complete = !!threads?.main;
  for (const info of infos) {
    if (typeof info?.vmprof_id === 'number' && typeof info.name === 'string' && info.name) {
      names.set(String(info.vmprof_id), info.name);
    } else {
      complete = false;
    }
  }
  return { names, complete };
}

/** The graph with each thread labelled `main · MainThread`, `thread 3 · the kernel's own`, … */
export function withThreadNames(graph: IGraphJSON, known: IThreadNames): IGraphJSON {
  if (known.names.size === 0) {
    return graph;
  }
  const threads = graph.profile.threads.map(thread => {
    const name = known.names.get(thread.id) ?? (known.complete ? KERNEL_THREAD : '');
    return name ? { ...thread, label: `${threadLabel(thread)} · ${name}` } : thread;
  });
  return { ...graph, profile: { ...graph.profile, threads } };
}
