/**
 * Profile → Graph JSON (IGraphJSON, src/model/graph-json.ts), the view data
 * the server sends to the frontend. Contract: docs/architecture.md, "Graph JSON".
 *
 * Counts are integer samples of the selected thread(s); the call graph
 * counts each function and edge once per sample (see src/model/views.ts),
 * so `total` never exceeds `samples`.
 */

import { GRAPH_FORMAT, GRAPH_VERSION, IGraphJSON, IGraphThread } from '../model/graph-json';
import { IProfile } from '../model/profile';
import { ThreadFilter, callGraph, callTree } from '../model/views';

export interface IGraphJSONOptions {
  thread?: ThreadFilter;
  /** 'jupyterlab-vmprof <version>'. */
  creator: string;
}

export function toGraphJSON(profile: IProfile, options: IGraphJSONOptions): IGraphJSON {
  const thread = options.thread ?? null;
  const graph = callGraph(profile, thread);
  const tree = callTree(profile, thread);
  const info = profile.info;
  return {
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
      threads: threadCounts(profile),
      thread,
      warnings: info.warnings.slice()
    },
    frames: profile.frames.map((f, i) => ({
      name: f.name,
      file: f.file,
      line: f.line,
      kind: f.kind,
      self: graph.self[i],
      total: graph.total[i]
    })),
    tree,
    edges: graph.edges
  };
}

export function threadCounts(profile: IProfile): IGraphThread[] {
  const counts = new Array<number>(profile.threads.length).fill(0);
  for (let i = 0; i < profile.sampleThread.length; i++) {
    counts[profile.sampleThread[i]]++;
  }
  return profile.threads.map((id, i) => ({ id, samples: counts[i] }));
}
