/**
 * "My code first": the call tree with library and framework frames folded,
 * as pyinstrument shows it. Pure: a Graph JSON in, a Graph JSON out, for
 * the flame graph only (the table, legend and exports keep every frame).
 *
 * Along each stack, a run of frames that are not the user's (origin.ts:
 * standard library, site-packages, IPython, the interpreter, the cell
 * runner) becomes one box "N frames hidden (numpy, stdlib, …)". Native,
 * JIT and unknown frames called from the user's code stay, so that the
 * C function a loop spends its time in is still seen. Samples are never
 * lost: a folded frame's self samples become its box's.
 */
import type { IGraphFrame, IGraphJSON } from '../model/graph-json';
import { formatCount } from './format';
import { frameOrigin } from './origin';

/** Library names listed in a box's label before "…". */
const NAMED_LIBRARIES = 2;

export interface IFoldedGraph {
  graph: IGraphJSON;
  /** Boxes of hidden frames drawn (0: nothing was folded). */
  boxes: number;
  /** Distinct frames folded away. */
  hiddenFrames: number;
}

export function hiddenLabel(frames: number, libraries: readonly string[]): string {
  const what = frames === 1 ? '1 frame hidden' : `${formatCount(frames)} frames hidden`;
  if (libraries.length === 0) {
    return what;
  }
  const named = libraries.slice(0, NAMED_LIBRARIES).join(', ');
  return `${what} (${named}${libraries.length > NAMED_LIBRARIES ? ', …' : ''})`;
}

/** Whether folding can help: the profile holds some of the user's code, and some library code. */
export function canFold(graph: IGraphJSON): boolean {
  let mine = false;
  let library = false;
  for (const frame of graph.frames) {
    if (frame.total > 0) {
      const origin = frameOrigin(frame);
      mine ||= origin.mine && frame.kind === 'python';
      library ||= !origin.mine;
    }
  }
  return mine && library;
}

interface IBox {
  node: number;
  frames: Set<number>;
  /** Self samples per library, to name the heaviest first. */
  libraries: Map<string, number>;
}

export function foldLibraryFrames(graph: IGraphJSON): IFoldedGraph {
  const origins = graph.frames.map(frameOrigin);
  const { frame: frameOf, parent: parentOf, self: selfOf } = graph.tree;
  const tree = { frame: [-1], parent: [-1], total: [0], self: [selfOf[0] ?? 0] };
  const childKeys: Map<string, number>[] = [new Map()];
  const boxes = new Map<number, IBox>();
  const hidden = new Set<number>();
  const child = (parent: number, key: string, frame: number): number => {
    let node = childKeys[parent].get(key);
    if (node === undefined) {
      node = tree.frame.length;
      tree.frame.push(frame);
      tree.parent.push(parent);
      tree.total.push(0);
      tree.self.push(0);
      childKeys.push(new Map());
      childKeys[parent].set(key, node);
    }
    return node;
  };
  // Nodes come after their parents (the contract), so one pass in order maps each.
  const mapped = new Int32Array(frameOf.length);
  const underMine = new Uint8Array(frameOf.length);
  for (let n = 1; n < frameOf.length; n++) {
    const parent = parentOf[n];
    const into = parent >= 0 ? mapped[parent] : 0;
    const frame = frameOf[n];
    const origin = origins[frame];
    const kind = graph.frames[frame]?.kind;
    const stays = origin?.mine || (underMine[parent] === 1 && kind !== 'python' && kind !== 'interpreter');
    let node: number;
    if (stays) {
      node = child(into, `f${frame}`, frame);
      underMine[n] = origin?.mine && kind === 'python' ? 1 : underMine[parent];
    } else {
      // Inside a box already: the run goes on; else the parent's one box of hidden frames.
      node = boxes.has(into) ? into : child(into, 'hidden', -2);
      let box = boxes.get(node);
      if (!box) {
        box = { node, frames: new Set(), libraries: new Map() };
        boxes.set(node, box);
      }
      box.frames.add(frame);
      hidden.add(frame);
      const library = origin?.library || 'unknown';
      box.libraries.set(library, (box.libraries.get(library) ?? 0) + graph.tree.total[n]);
      underMine[n] = underMine[parent];
    }
    mapped[n] = node;
    tree.self[node] += selfOf[n];
  }
  for (let n = tree.frame.length - 1; n >= 0; n--) {
    tree.total[n] += tree.self[n];
    if (n > 0) {
      tree.total[tree.parent[n]] += tree.total[n];
    }
  }
  const frames: IGraphFrame[] = graph.frames.slice();
  for (const box of boxes.values()) {
    const libraries = [...box.libraries.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
    tree.frame[box.node] = frames.length;
    frames.push({
      name: hiddenLabel(box.frames.size, libraries),
      file: libraries.join(', '),
      line: 0,
      kind: 'interpreter',
      self: tree.self[box.node],
      total: tree.total[box.node]
    });
  }
  return {
    graph: { ...graph, frames, tree, edges: [] },
    boxes: boxes.size,
    hiddenFrames: hidden.size
  };
}
