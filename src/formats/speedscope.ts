/**
 * Profile → speedscope file format (one "sampled" profile per thread).
 * Spec: https://github.com/jlfwong/speedscope/blob/main/src/lib/file-format-spec.ts
 * and https://www.speedscope.app/file-format-schema.json
 *
 * Time: a sample weighs profile.secondsPerSample seconds (measured, see
 * vmprof.ts); when nothing was measured the unit is 'none' and each sample
 * weighs 1. Consecutive samples of one thread with the same stack are merged
 * into one weighted sample (the time order is kept). Example: stacks
 * A A B A become samples [A, B, A] with weights [2, 1, 1] × secondsPerSample.
 * Frame kinds are not part of the format and are lost.
 */

import { ThreadFilter, threadMask } from '../model/call-graph';
import { IProfile, framesOf } from '../model/profile';

export interface ISpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: Array<{ name: string; file?: string; line?: number }> };
  profiles: ISpeedscopeProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

export interface ISpeedscopeProfile {
  type: 'sampled';
  name: string;
  unit: 'seconds' | 'none';
  startValue: number;
  endValue: number;
  samples: number[][];
  weights: number[];
}

export interface ISpeedscopeOptions {
  name: string;
  exporter: string;
  /** Only these threads (src/model/call-graph.ts ThreadFilter); all threads when null/absent. */
  thread?: ThreadFilter;
}

export function toSpeedscope(profile: IProfile, options: ISpeedscopeOptions): ISpeedscopeFile {
  const sps = profile.info.secondsPerSample;
  const mask = threadMask(profile, options.thread ?? null);
  const stackCache = new Map<number, number[]>();
  const stackOf = (node: number) => {
    let s = stackCache.get(node);
    if (s === undefined) {
      s = node < 0 ? [] : framesOf(profile, node);
      stackCache.set(node, s);
    }
    return s;
  };
  const profiles: ISpeedscopeProfile[] = profile.threads.map(id => ({
    type: 'sampled',
    name: `thread ${id}`,
    unit: sps !== null ? 'seconds' : 'none',
    startValue: 0,
    endValue: 0,
    samples: [],
    weights: []
  }));
  const lastNode = new Array<number>(profile.threads.length).fill(-2);
  const counts: number[][] = profile.threads.map(() => []);
  for (let i = 0; i < profile.sampleStack.length; i++) {
    const t = profile.sampleThread[i];
    const node = profile.sampleStack[i];
    if (node === lastNode[t]) {
      counts[t][counts[t].length - 1]++;
      continue;
    }
    lastNode[t] = node;
    profiles[t].samples.push(stackOf(node));
    counts[t].push(1);
  }
  profiles.forEach((p, t) => {
    p.weights = counts[t].map(c => (sps !== null ? c * sps : c));
    p.endValue = p.weights.reduce((a, b) => a + b, 0);
  });
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: {
      frames: profile.frames.map(f => (f.file ? { name: f.name, file: f.file, line: f.line } : { name: f.name }))
    },
    profiles: profiles.filter((p, t) => p.samples.length > 0 && (mask === null || mask[t] === 1)),
    name: options.name,
    activeProfileIndex: 0,
    exporter: options.exporter
  };
}
