/**
 * The usual path from a freshly read profile to what views and exports
 * show: name and classify frames, then clean stacks (both switchable),
 * fused into one pass over the samples.
 */

import { IFrame, IProfile } from '../model/profile';
import { rewriteStacks } from '../model/transform';
import { ICleanOptions, stackCleaner } from './clean';
import { ISymbolizeOptions, frameSymbolizer } from './symbolize';

export interface IPrepareOptions extends ISymbolizeOptions, ICleanOptions {}

export function prepareProfile(profile: IProfile, options: IPrepareOptions = {}): IProfile {
  const symbolizeFrame = frameSymbolizer(options);
  const named = new Map<IFrame, IFrame>(profile.frames.map(f => [f, symbolizeFrame(f)]));
  const clean = stackCleaner(options);
  return rewriteStacks(profile, stack => {
    const frames = stack.map(f => named.get(f) ?? f);
    return clean ? clean(frames) : frames;
  });
}
