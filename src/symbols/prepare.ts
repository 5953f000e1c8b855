/**
 * The usual path from a freshly read profile to what views and exports
 * show: name and classify frames, put Python called back from C below its C
 * caller (native-mode CPython files, callbacks.ts), make PyPy's interpreted
 * and JIT frames of a function one (pypy.ts, with strip), then clean stacks
 * (each switchable), fused into one pass over the samples.
 */

import { IFrame, IProfile, framesOf } from '../model/profile';
import { StackRewrite, rewriteStacks } from '../model/transform';
import { callbackPlacer, entryTest } from './callbacks';
import { ICleanOptions, stackCleaner } from './clean';
import { jitTwinMerger } from './pypy';
import { ISymbolizeOptions, frameSymbolizer } from './symbolize';

export interface IPrepareOptions extends ISymbolizeOptions, ICleanOptions {
  /** Put Python frames called from C below their C caller (default true; native-mode CPython only). */
  placeCallbacks?: boolean;
}

export function prepareProfile(profile: IProfile, options: IPrepareOptions = {}): IProfile {
  const symbolizeFrame = frameSymbolizer(options);
  const named = new Map<IFrame, IFrame>(profile.frames.map(f => [f, symbolizeFrame(f)]));
  // Pure-Python profiles name nothing anew: skip a map lookup per frame of every stack.
  const renamed = profile.frames.some(f => named.get(f) !== f);
  const name = renamed ? (stack: readonly IFrame[]) => stack.map(f => named.get(f) ?? f) : (stack: readonly IFrame[]) => stack;
  const place = placerFor(profile, options, name);
  const merge =
    profile.info.interpreter === 'pypy' && options.strip !== false ? jitTwinMerger(sampledStacks(profile, name)) : null;
  const clean = stackCleaner(options);
  return rewriteStacks(profile, stack => {
    let frames: readonly IFrame[] = name(stack);
    frames = place ? place(frames) : frames;
    frames = merge ? merge(frames) : frames;
    return clean ? clean(frames) : frames;
  });
}

function placerFor(
  profile: IProfile,
  options: IPrepareOptions,
  name: (stack: readonly IFrame[]) => readonly IFrame[]
): StackRewrite | null {
  if (options.placeCallbacks === false || !profile.info.mode.native || profile.info.interpreter !== 'cpython') {
    return null;
  }
  // Only a C function that enters Python can have Python below it: without one, skip the walk.
  const isEntry = entryTest();
  if (!profile.frames.some(f => isEntry(name([f])[0]))) {
    return null;
  }
  return callbackPlacer(sampledStacks(profile, name));
}

/** Each distinct sampled stack once, named, outermost frame first. */
function* sampledStacks(profile: IProfile, name: (stack: readonly IFrame[]) => readonly IFrame[]): Generator<readonly IFrame[]> {
  const sampled = new Uint8Array(profile.stackFrame.length);
  for (const node of profile.sampleStack) {
    if (node >= 0) {
      sampled[node] = 1;
    }
  }
  for (let node = 0; node < sampled.length; node++) {
    if (sampled[node]) {
      yield name(framesOf(profile, node).map(id => profile.frames[id]));
    }
  }
}
