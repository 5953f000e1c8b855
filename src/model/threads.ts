/**
 * Per-thread facts for the thread picker: sample counts and a label people
 * can read instead of a 15-digit thread id.
 */

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
