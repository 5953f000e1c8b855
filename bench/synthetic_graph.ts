/**
 * A synthetic, valid Graph JSON whose call tree has any number of nodes,
 * for the flame benchmarks (bench/flame_100k*.mjs): bushy near the root,
 * long chains below, three frame kinds, deterministic for a seed.
 *
 * Validity: a frame only ever appears at one depth, so no frame repeats on
 * a stack; then frame totals and edge samples are plain sums of node totals
 * and the contract's invariants (total = self + Σ children) hold exactly.
 */
import { GRAPH_FORMAT, GRAPH_VERSION, IGraphJSON } from '../src/model/graph-json';

const FRAMES_PER_DEPTH = 40;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function syntheticGraph(nodes: number, seed = 1): IGraphJSON {
  const rand = random(seed);
  const parent = [-1];
  const depth = [0];
  const frame = [-1];
  // Bushy near the top, long chains below: parents drawn from recent nodes.
  for (let n = 1; n < nodes; n++) {
    const p = rand() < 0.6 ? n - 1 : Math.floor(rand() * n);
    parent.push(p);
    depth.push(depth[p] + 1);
    frame.push(depth[p] * FRAMES_PER_DEPTH + Math.floor(rand() * FRAMES_PER_DEPTH));
  }
  const maxDepth = Math.max(...depth);
  const frameCount = (maxDepth + 1) * FRAMES_PER_DEPTH;
  const self = parent.map(() => (rand() < 0.5 ? 1 + Math.floor(rand() * 20) : 0));
  const total = self.slice();
  for (let n = nodes - 1; n > 0; n--) {
    total[parent[n]] += total[n];
  }
  const frames = Array.from({ length: frameCount }, (_, i) => ({
    name: `function_${Math.floor(i / FRAMES_PER_DEPTH)}_${i % FRAMES_PER_DEPTH}`,
    file: `/synthetic/module_${i % 97}.py`,
    line: 1 + (i % 500),
    kind: (['python', 'native', 'jit'] as const)[i % 3],
    self: 0,
    total: 0
  }));
  const edges = new Map<string, { caller: number; callee: number; samples: number }>();
  for (let n = 1; n < nodes; n++) {
    frames[frame[n]].self += self[n];
    frames[frame[n]].total += total[n];
    const caller = parent[n] === 0 ? -1 : frame[parent[n]];
    const key = `${caller}:${frame[n]}`;
    const edge = edges.get(key) ?? { caller, callee: frame[n], samples: 0 };
    edge.samples += total[n];
    edges.set(key, edge);
  }
  const samples = total[0];
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    creator: 'bench/flame_100k',
    profile: {
      samples,
      totalSamples: samples,
      durationSeconds: samples / 1000,
      secondsPerSample: 0.001,
      timeBasis: 'duration',
      periodSeconds: 0.001,
      interpreter: 'cpython',
      platform: 'linux',
      fileVersion: 4,
      mode: { native: true, lines: false, memory: false, realTime: false },
      threads: [{ id: '1', samples, label: 'main' }],
      thread: null,
      warnings: []
    },
    frames,
    tree: { frame, parent, total, self },
    edges: [...edges.values()]
  };
}
