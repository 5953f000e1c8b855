/**
 * Rebuilds a profile with every sampled stack rewritten by a pure function
 * (symbolization, cleaning). The function sees whole stacks, outermost
 * first, so rules may look both ways along the stack; it runs once per
 * distinct sampled stack, not once per sample.
 */

import { IFrame, IProfile, IProfileInfo, ProfileBuilder, framesOf } from './profile';

export type StackRewrite = (stack: readonly IFrame[]) => readonly IFrame[];

export function rewriteStacks(profile: IProfile, rewrite: StackRewrite, info: Partial<IProfileInfo> = {}): IProfile {
  const builder = new ProfileBuilder();
  const newNode = new Int32Array(profile.stackFrame.length).fill(-2);
  // Rewrites return the same frame objects for the same frames, so the new id is
  // looked up by identity; the builder's string key is made once per object, not
  // once per frame of every stack (seconds at 300k distinct stacks).
  const frameIds = new Map<IFrame, number>();
  const frameId = (f: IFrame): number => {
    let id = frameIds.get(f);
    if (id === undefined) {
      id = builder.frame(f.name, f.file, f.line, f.kind, f.functionLine);
      frameIds.set(f, id);
    }
    return id;
  };
  const stackOf = (node: number): number => {
    if (node < 0) {
      return -1;
    }
    if (newNode[node] === -2) {
      const frames = rewrite(framesOf(profile, node).map(id => profile.frames[id]));
      let id = -1;
      for (const f of frames) {
        id = builder.stack(id, frameId(f));
      }
      newNode[node] = id;
    }
    return newNode[node];
  };
  for (const t of profile.threads) {
    builder.thread(t);
  }
  const stacks = new Int32Array(profile.sampleStack.length);
  for (let i = 0; i < stacks.length; i++) {
    const node = profile.sampleStack[i];
    // Most samples repeat a stack already rewritten: one array read, no call.
    stacks[i] = node >= 0 && newNode[node] !== -2 ? newNode[node] : stackOf(node);
  }
  builder.addSamples(stacks, profile.sampleThread, profile.sampleRss, profile.sampleTime);
  return builder.build({ ...profile.info, ...info });
}

/** Renames or re-kinds frames one by one (the stack shape is kept). */
export function mapFrames(profile: IProfile, map: (frame: IFrame) => IFrame): IProfile {
  const mapped = profile.frames.map(map);
  const byOld = new Map<IFrame, IFrame>();
  profile.frames.forEach((f, i) => byOld.set(f, mapped[i]));
  return rewriteStacks(profile, stack => stack.map(f => byOld.get(f) ?? f));
}
