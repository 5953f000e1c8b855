/**
 * Profile → Graph JSON (IGraphJSON, src/model/graph-json.ts), the view data
 * the server sends to the frontend. Contract: docs/architecture.md, "Graph JSON".
 *
 * Counts are integer samples of the selected thread(s); the call graph
 * counts each function and edge once per sample (see src/model/call-graph.ts),
 * so `total` never exceeds `samples`.
 */

import { GRAPH_FORMAT, GRAPH_VERSION, IGraphJSON, IGraphThread } from '../model/graph-json';
import { lineCosts } from '../model/lines';
import { IProfile } from '../model/profile';
import { IKernelThreads, threadSummaries } from '../model/threads';
import { timeOrder } from '../model/time-order';
import { timeline } from '../model/timeline';
import { PRUNED_FRAME_NAME, pruneTree } from '../model/prune';
import { ThreadFilter, callGraph, callTree } from '../model/call-graph';

export interface IGraphJSONOptions {
  thread?: ThreadFilter;
  /** The kernel's own threads, when known (src/model/threads.ts selectThreads). */
  kernelThreads?: IKernelThreads;
  /** 'jupyterlab-vmprof <version>'. */
  creator: string;
  /**
   * For `lines`: the same file read with `lines: true` and prepared with the
   * same options. Not needed when `profile` itself is line-level.
   */
  lineProfile?: IProfile;
}

/**
 * How native frames are named for people. The converter sets the demangler
 * (src/node/convert.ts, src/symbols/demangle.ts); elsewhere (the labextension
 * bundles the writers too) symbols stay as recorded, without the 520 kB wasm.
 */
let nativeName: (symbol: string) => string = symbol => symbol;

export function nameNativeFramesWith(namer: (symbol: string) => string): void {
  nativeName = namer;
}

export function toGraphJSON(profile: IProfile, options: IGraphJSONOptions): IGraphJSON {
  const thread = options.thread ?? null;
  const graph = callGraph(profile, thread);
  // Cut to what the views draw (prune.ts); frames and edges above stay exact.
  const tree = pruneTree(callTree(profile, thread), profile.frames.length);
  const info = profile.info;
  const out: IGraphJSON = {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    creator: options.creator,
    profile: {
      samples: graph.samples,
      totalSamples: profile.sampleStack.length,
      durationSeconds: info.durationSeconds,
      secondsPerSample: info.secondsPerSample,
      timeBasis: info.timeBasis,
      periodSeconds: info.periodSeconds,
      interpreter: info.interpreter,
      platform: info.platform,
      fileVersion: info.fileVersion,
      mode: { ...info.mode },
      threads: threadCounts(profile, options.kernelThreads),
      thread: typeof thread === 'string' ? thread : null,
      warnings: info.warnings.slice()
    },
    frames: profile.frames.map((f, i) => ({
      // Exports keep the symbols as recorded: KCachegrind and speedscope demangle themselves.
      name: f.kind === 'native' ? nativeName(f.name) : f.name,
      file: f.file,
      line: f.line,
      kind: f.kind,
      self: graph.self[i],
      total: graph.total[i]
    })),
    tree,
    edges: graph.edges
  };
  const kernel = options.kernelThreads;
  if (kernel !== undefined) {
    out.profile.kernelThreads = { included: kernel.included, threads: kernel.ids.length, samples: kernel.samples };
  }
  if (tree.pruned !== undefined) {
    // The folded nodes' frame: not a function, so no samples of its own in the function list.
    out.frames.push({ name: PRUNED_FRAME_NAME, file: '', line: 0, kind: 'unknown', self: 0, total: 0 });
  }
  const samplesOverTime = timeline(profile);
  if (samplesOverTime !== null) {
    out.timeline = samplesOverTime;
  }
  const ordered = timeOrder(profile, tree, timeOrderThread(profile, thread, out.profile.threads));
  if (ordered !== null) {
    out.timeOrder = ordered;
  }
  const lineLevel = profile.frames.some(f => f.functionLine !== undefined) ? profile : options.lineProfile;
  if (info.mode.lines && lineLevel !== undefined) {
    out.lines = lineCosts(lineLevel, profile, thread);
  }
  return out;
}

/** Every thread with samples, in order of first sample, with its label (src/model/threads.ts). */
export function threadCounts(profile: IProfile, kernelThreads?: IKernelThreads): IGraphThread[] {
  const kernel = new Set(kernelThreads?.ids ?? []);
  return threadSummaries(profile).map(t =>
    kernel.has(t.id)
      ? { id: t.id, samples: t.samples, label: t.label, kernel: true }
      : { id: t.id, samples: t.samples, label: t.label }
  );
}

/** The thread of the time order: the selected one, else 'main', else the busiest of those selected. */
function timeOrderThread(profile: IProfile, thread: ThreadFilter, all: IGraphThread[]): number {
  if (typeof thread === 'string') {
    return profile.threads.indexOf(thread);
  }
  const threads = thread === null ? all : all.filter(t => thread.includes(t.id));
  const main = threads.find(t => t.label === 'main');
  const busiest = threads.reduce<IGraphThread | null>((a, b) => (a === null || b.samples > a.samples ? b : a), null);
  return profile.threads.indexOf((main ?? busiest)?.id ?? '');
}
