/**
 * Comparing two profiles function by function: where did the time move?
 *
 * Counts are normalised to fractions of each profile's own samples, since
 * two runs rarely have the same number of samples; delta = b − a, so a
 * positive delta means the function takes a larger share in `b`.
 *
 * Functions are matched by a key (`match`; by default kind, file and name,
 * not line: an edited cell shifts its functions' first lines, and the
 * comparison is most wanted exactly then). The converter matches with
 * symbols/match-keys.ts, which keys native code by library and symbol so
 * two processes' profiles line up. Frames with one key merge; like the
 * call graph, a merged function counts once per sample.
 */

import type { IDiffTree, IFunctionDiff } from './diff-json';
import { diffTree } from './diff-tree';
import { FrameKind } from './graph-json';
import { IFrame, IProfile } from './profile';

export type { IFunctionDiff };

/** What a frame is matched on, and how its function is shown. */
export interface IFunctionMatch {
  key: string;
  name: string;
  /** Native code: the library as matched (see IFunctionDiff.library). */
  library?: string;
}

export interface IProfileDiff {
  samplesA: number;
  samplesB: number;
  /** Sorted by |selfDelta|, then |totalDelta|, descending; then file, name, kind. */
  functions: IFunctionDiff[];
  /** The merged call tree (model/diff-tree.ts), its `fn` indexing `functions`. */
  tree: IDiffTree;
}

export interface IDiffOptions {
  /** What frames are matched on (default: kind, file and name). */
  match?: (frame: IFrame) => IFunctionMatch;
  /** Most nodes in the tree (default DIFF_TREE_MAX_NODES). */
  maxTreeNodes?: number;
}

const matchByFileAndName = (f: IFrame): IFunctionMatch => ({
  key: `${f.kind}\u0000${f.file}\u0000${f.name}`,
  name: f.name
});

interface ICosts {
  key: string;
  name: string;
  library?: string;
  file: string;
  kind: FrameKind;
  line: number;
  self: number;
  total: number;
}

export function diffProfiles(a: IProfile, b: IProfile, options: IDiffOptions = {}): IProfileDiff {
  const match = options.match ?? matchByFileAndName;
  const costsA = functionCosts(a, match);
  const costsB = functionCosts(b, match);
  const samplesA = a.sampleStack.length;
  const samplesB = b.sampleStack.length;
  const fraction = (count: number, samples: number) => (samples > 0 ? count / samples : 0);
  const functions: IFunctionDiff[] = [];
  const keyOf = new Map<IFunctionDiff, string>();
  for (const key of new Set([...costsA.byKey.keys(), ...costsB.byKey.keys()])) {
    const ca = costsA.byKey.get(key);
    const cb = costsB.byKey.get(key);
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
      ...(any.library !== undefined ? { library: any.library } : {}),
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
    keyOf.set(functions[functions.length - 1], key);
  }
  functions.sort(
    (x, y) =>
      Math.abs(y.selfDelta) - Math.abs(x.selfDelta) ||
      Math.abs(y.totalDelta) - Math.abs(x.totalDelta) ||
      compareText(x.file, y.file) ||
      compareText(x.name, y.name) ||
      compareText(x.kind, y.kind)
  );
  const index = new Map<string, number>();
  functions.forEach((f, i) => index.set(keyOf.get(f)!, i));
  const frameFunction = [costsA.frameKey, costsB.frameKey].map(keys => keys.map(key => index.get(key) ?? -1));
  const tree = diffTree(a, b, (side, frame) => frameFunction[side][frame], options.maxTreeNodes);
  return { samplesA, samplesB, functions, tree };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface IFunctionCosts {
  byKey: Map<string, ICosts>;
  /** Frame index → its function's key. */
  frameKey: string[];
}

/** Self and once-per-sample total per matched function. */
function functionCosts(profile: IProfile, match: (frame: IFrame) => IFunctionMatch): IFunctionCosts {
  const keyIndex = new Map<string, number>();
  const costs: ICosts[] = [];
  const frameKey: string[] = [];
  const frameFunction = profile.frames.map(f => {
    const m = match(f);
    frameKey.push(m.key);
    const line = f.functionLine ?? f.line;
    let k = keyIndex.get(m.key);
    if (k === undefined) {
      k = costs.length;
      keyIndex.set(m.key, k);
      costs.push({ key: m.key, name: m.name, library: m.library, file: f.file, kind: f.kind, line, self: 0, total: 0 });
    } else {
      costs[k].line = Math.min(costs[k].line, line);
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
    costs[frameFunction[profile.stackFrame[node]]].self += c;
    for (let n = node; n >= 0; n = profile.stackParent[n]) {
      const k = frameFunction[profile.stackFrame[n]];
      if (seen[k] !== node) {
        seen[k] = node;
        costs[k].total += c;
      }
    }
  }
  return { byKey: new Map(costs.map(c => [c.key, c])), frameKey };
}
