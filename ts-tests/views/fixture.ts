/**
 * Hand-made Graph JSON for the view tests, built from sample stacks the way
 * the contract (src/model/graph-json.ts) defines it, so that the tests do
 * not depend on the engine being finished.
 */
import type {
  FrameKind,
  IGraphFrame,
  IGraphJSON
} from '../../src/model/graph-json';

export interface IFrameSpec {
  name: string;
  file?: string;
  line?: number;
  kind?: FrameKind;
}

/**
 * A graph from stacks, outermost frame first; `count` samples each.
 * An empty stack is a sample with no frame (root self).
 */
export function graphFromStacks(
  stacks: { stack: (string | IFrameSpec)[]; count: number }[],
  profile: Partial<IGraphJSON['profile']> = {}
): IGraphJSON {
  const frames: IGraphFrame[] = [];
  const frameIndex = new Map<string, number>();
  const frameOf = (spec: string | IFrameSpec): number => {
    const s: IFrameSpec = typeof spec === 'string' ? { name: spec } : spec;
    const key = `${s.file ?? 'demo.py'}\0${s.line ?? 1}\0${s.name}\0${s.kind ?? 'python'}`;
    let index = frameIndex.get(key);
    if (index === undefined) {
      index = frames.length;
      frameIndex.set(key, index);
      frames.push({
        name: s.name,
        file: s.file ?? 'demo.py',
        line: s.line ?? 1,
        kind: s.kind ?? 'python',
        self: 0,
        total: 0
      });
    }
    return index;
  };

  // Build the tree as nested maps first, then flatten parents-first.
  interface INode {
    frame: number;
    self: number;
    total: number;
    children: Map<number, INode>;
  }
  const root: INode = { frame: -1, self: 0, total: 0, children: new Map() };
  let samples = 0;
  for (const { stack, count } of stacks) {
    samples += count;
    const indices = stack.map(frameOf);
    let node = root;
    node.total += count;
    for (const f of indices) {
      let child = node.children.get(f);
      if (!child) {
        child = { frame: f, self: 0, total: 0, children: new Map() };
        node.children.set(f, child);
      }
      child.total += count;
      node = child;
    }
    node.self += count;
    for (const f of new Set(indices)) {
      frames[f].total += count;
    }
    if (indices.length > 0) {
      frames[indices[indices.length - 1]].self += count;
    }
  }
  const tree = { frame: [] as number[], parent: [] as number[], total: [] as number[], self: [] as number[] };
  const queue: [INode, number][] = [[root, -1]];
  while (queue.length > 0) {
    const [node, parent] = queue.shift()!;
    const index = tree.frame.length;
    tree.frame.push(node.frame);
    tree.parent.push(parent);
    tree.total.push(node.total);
    tree.self.push(node.self);
    [...node.children.values()]
      .sort((a, b) => a.frame - b.frame)
      .forEach(child => queue.push([child, index]));
  }
  return {
    format: 'jupyterlab-vmprof-graph',
    version: 1,
    creator: 'jupyterlab-vmprof test fixture',
    profile: {
      samples,
      totalSamples: samples,
      durationSeconds: samples * 0.004,
      secondsPerSample: 0.004,
      timeBasis: 'duration',
      periodSeconds: 0.001,
      interpreter: 'cpython',
      platform: 'linux',
      fileVersion: 4,
      mode: { native: true, lines: false, memory: false, realTime: false },
      threads: [{ id: '1', samples }],
      thread: null,
      warnings: [],
      ...profile
    },
    frames,
    tree,
    edges: []
  };
}

/** A small profile with Python, native and JIT frames. */
export function smallGraph(): IGraphJSON {
  const main = { name: 'main', file: '/home/user/demo.py', line: 3 };
  const work = { name: 'work', file: '/home/user/demo.py', line: 10 };
  const dot = { name: 'cblas_ddot', file: '/usr/lib/libopenblas.so', line: 0, kind: 'native' as const };
  const jit = { name: 'fast_loop', file: '/home/user/demo.py', line: 20, kind: 'jit' as const };
  return graphFromStacks([
    { stack: [main, work, dot], count: 50 },
    { stack: [main, work], count: 10 },
    { stack: [main, jit], count: 30 },
    { stack: [main], count: 7 },
    { stack: [], count: 3 }
  ]);
}

/** A wide, deep pseudo-random tree (deterministic) with about `n` nodes. */
export function bigGraph(nodes: number, seed = 1): IGraphJSON {
  let state = seed;
  const random = () => {
    // xorshift32: deterministic and fast
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const stacks: { stack: string[]; count: number }[] = [];
  for (let i = 0; i < nodes; i++) {
    const depth = 1 + Math.floor(random() * 12);
    const stack: string[] = [];
    for (let d = 0; d < depth; d++) {
      stack.push(`f${Math.floor(random() * (d < 2 ? 4 : 60))}`);
    }
    stacks.push({ stack, count: 1 + Math.floor(random() * random() * 200) });
  }
  return graphFromStacks(stacks);
}
