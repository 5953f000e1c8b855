/** Hand-built profiles for model and symbol tests. */
import { IProfileInfo, ProfileBuilder } from '../../src/model/profile';

export const INFO: IProfileInfo = {
  periodSeconds: 0.001, interpreter: 'cpython', platform: 'linux', fileVersion: 7,
  mode: { native: false, lines: false, memory: false, realTime: false },
  startTime: null, durationSeconds: null, secondsPerSample: null, timeBasis: 'none', warnings: []
};

/** Stacks as 'a;b;c' (root first), one sample each, on thread `t`. */
export function profileOf(stacks: Array<[string, string?]>) {
  const b = new ProfileBuilder();
  for (const [text, thread] of stacks) {
    const frames = text ? text.split(';').map(n => b.frame(n, 'x.py', n.charCodeAt(0), 'python')) : [];
    b.addSample(b.stackOf(frames), b.thread(thread ?? '1'));
  }
  return b.build(INFO);
}
