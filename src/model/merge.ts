/**
 * Several processes' profiles as one: the parts of a `%%vmprof --workers`
 * profile (each Dask worker, or every worker together).
 *
 * Frames are the same frame when name, file, line and kind agree, so one
 * function run by two workers is one function in the merged call graph, with
 * the samples of both. Threads stay apart: each thread id is prefixed with
 * its process's label, e.g. two workers' main threads give the threads
 * `worker 0/0x7f…` and `worker 1/0x7f…`, so the thread chooser also chooses
 * a process.
 *
 * What cannot be merged is dropped and said: memory samples (RSS) and
 * per-sample times are kept only if every part has them. Times of different
 * processes are each on their own clock in CPU mode (the process's CPU time),
 * so a merged timeline shows each process's samples against its own clock.
 */
import { IProfile, IProfileInfo, ProfileBuilder } from './profile';

export interface IProfilePart {
  /** Names the process in thread ids: `<label>/<thread>`. */
  label: string;
  profile: IProfile;
}

export function mergeProfiles(parts: readonly IProfilePart[]): IProfile {
  if (parts.length === 0) {
    throw new Error('mergeProfiles: no parts');
  }
  const withRss = parts.every(p => p.profile.sampleRss !== null);
  const withTime = parts.every(p => p.profile.sampleTime !== null);
  const builder = new ProfileBuilder();
  for (const { label, profile } of parts) {
    const frame = profile.frames.map(f => builder.frame(f.name, f.file, f.line, f.kind, f.functionLine));
    // A node's parent always has a smaller id (the builder makes parents first).
    const node = new Int32Array(profile.stackFrame.length);
    for (let n = 0; n < node.length; n++) {
      const parent = profile.stackParent[n];
      node[n] = builder.stack(parent < 0 ? -1 : node[parent], frame[profile.stackFrame[n]]);
    }
    const thread = profile.threads.map(t => builder.thread(`${label}/${t}`));
    const stacks = new Int32Array(profile.sampleStack.length);
    const threads = new Int32Array(stacks.length);
    for (let s = 0; s < stacks.length; s++) {
      const stack = profile.sampleStack[s];
      stacks[s] = stack < 0 ? stack : node[stack];
      threads[s] = thread[profile.sampleThread[s]];
    }
    builder.addSamples(stacks, threads, withRss ? profile.sampleRss : null, withTime ? profile.sampleTime : null);
  }
  return builder.build(mergedInfo(parts, withRss, withTime));
}

function mergedInfo(parts: readonly IProfilePart[], withRss: boolean, withTime: boolean): IProfileInfo {
  const first = parts[0].profile.info;
  const warnings = parts.flatMap(p => p.profile.info.warnings.map(w => `${p.label}: ${w}`));
  if (!withRss && parts.some(p => p.profile.sampleRss !== null)) {
    warnings.push('memory samples are shown only when every merged process recorded them');
  }
  if (!withTime && parts.some(p => p.profile.sampleTime !== null)) {
    warnings.push('sample times are shown only when every merged process recorded them');
  }
  const durations = parts.map(p => p.profile.info.durationSeconds);
  return {
    ...first,
    mode: {
      native: parts.some(p => p.profile.info.mode.native),
      lines: parts.every(p => p.profile.info.mode.lines),
      memory: withRss,
      realTime: first.mode.realTime
    },
    // The processes ran side by side: the merged profile lasts as long as the longest.
    durationSeconds: durations.every(d => d !== null) ? Math.max(...(durations as number[])) : null,
    timeBasis: withTime ? first.timeBasis : first.timeBasis === 'timestamps' ? 'duration' : first.timeBasis,
    warnings
  };
}
