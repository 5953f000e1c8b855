/**
 * Comparing two profiles function by function: where did the time move?
 *
 * Counts are normalised to fractions of each profile's own samples, since
 * two runs rarely have the same number of samples; delta = b − a, so a
 * positive delta means the function takes a larger share in `b`.
 *
 * Functions are matched by (kind, name, file), not by line: an edited cell
 * shifts its functions' first lines, and the comparison is most wanted
 * exactly then. Files can be mapped first (`fileKey`), e.g. so that two
 * versions of a notebook cell, which IPython stores under different file
 * names, count as one file. Functions of the same name in the same file
 * (methods of two classes) therefore merge; like the call graph, a merged
 * function counts once per sample.
 */

import type { IFunctionDiff } from './diff-json';
import { FrameKind } from './graph-json';
import { IProfile } from './profile';

export type { IFunctionDiff };

export interface IProfileDiff {
  samplesA: number;
  samplesB: number;
  /** Sorted by |selfDelta|, then |totalDelta|, descending; then file, name, kind. */
  functions: IFunctionDiff[];
}

export interface IDiffOptions {
  /** Maps a file to the key functions are matched on (default: the file itself). */
  fileKey?: (file: string) => string;
}

interface ICosts {
  name: string;
  file: string;
  kind: FrameKind;
  line: number;
  self: number;
  total: number;
}

export function diffProfiles(a: IProfile, b: IProfile, options: IDiffOptions = {}): IProfileDiff {
  const fileKey = options.fileKey ?? ((file: string) => file);
  const costsA = functionCosts(a, fileKey);
  const costsB = functionCosts(b, fileKey);
  const samplesA = a.sampleStack.length;
  const samplesB = b.sampleStack.length;
  const fraction = (count: number, samples: number) => (samples > 0 ? count / samples : 0);
  const functions: IFunctionDiff[] = [];
  for (const key of new Set([...costsA.keys(), ...costsB.keys()])) {
    const ca = costsA.get(key);
    const cb = costsB.get(key);
    const any = (ca ?? cb)!;
    if ((ca?.total ?? 0) === 0 && (cb?.total ?? 0) === 0) {
      continue; // a frame no sample reached
    }
    const selfFractionA = fraction(ca?.self ?? 0, samplesA);
    const totalFractionA = fraction(ca?.total ?? 0, samplesA);
    const selfFractionB = fraction(cb?.self ?? 0, samplesB);
    const totalFractionB = fraction(cb?.total ?? 0, samplesB);
    functions.push({
      name: any.name,
      file: any.file,
      kind: any.kind,
      lineA: ca ? ca.line : null,
      lineB: cb ? cb.line : null,
      selfA: ca?.self ?? 0,
      totalA: ca?.total ?? 0,
      selfB: cb?.self ?? 0,
      totalB: cb?.total ?? 0,
      selfFractionA,
      totalFractionA,
      selfFractionB,
      totalFractionB,
      selfDelta: selfFractionB - selfFractionA,
      totalDelta: totalFractionB - totalFractionA
    });
  }
  functions.sort(
    (x, y) =>
      Math.abs(y.selfDelta) - Math.abs(x.selfDelta) ||
      Math.abs(y.totalDelta) - Math.abs(x.totalDelta) ||
      compareText(x.file, y.file) ||
      compareText(x.name, y.name) ||
      compareText(x.kind, y.kind)
  );
  return { samplesA, samplesB, functions };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Self and once-per-sample total per function key "kind\0fileKey\0name". */
function functionCosts(profile: IProfile, fileKey: (file: string) => string): Map<string, ICosts> {
  const keyIndex = new Map<string, number>();
  const costs: ICosts[] = [];
  const keys: string[] = [];
  const frameKey = profile.frames.map(f => {
    const key = `${f.kind}\u0000${fileKey(f.file)}\u0000${f.name}`;
    let k = keyIndex.get(key);
    if (k === undefined) {
      k = costs.length;
      keyIndex.set(key, k);
      keys.push(key);
      costs.push({ name: f.name, file: f.file, kind: f.kind, line: f.functionLine ?? f.line, self: 0, total: 0 });
    } else {
      costs[k].line = Math.min(costs[k].line, f.functionLine ?? f.line);
    }
    return k;
  });
  // Count per distinct stack node, then weight by its samples: fast on big profiles.
  const perNode = new Int32Array(profile.stackFrame.length);
  for (let i = 0; i < profile.sampleStack.length; i++) {
    const node = profile.sampleStack[i];
    if (node >= 0) {
      perNode[node]++;
    }
  }
  const seen = new Int32Array(costs.length).fill(-1);
  for (let node = 0; node < perNode.length; node++) {
    const c = perNode[node];
    if (c === 0) {
      continue;
    }
    costs[frameKey[profile.stackFrame[node]]].self += c;
    for (let n = node; n >= 0; n = profile.stackParent[n]) {
      const k = frameKey[profile.stackFrame[n]];
      if (seen[k] !== node) {
        seen[k] = node;
        costs[k].total += c;
      }
    }
  }
  const out = new Map<string, ICosts>();
  keys.forEach((key, k) => out.set(key, costs[k]));
  return out;
}
