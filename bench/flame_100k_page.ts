/**
 * Browser half of bench/flame_100k.mjs (bundled by it with esbuild): builds
 * a synthetic, valid Graph JSON whose call tree has NODES nodes, loads it
 * into the real FlameView widget (plotly, DOM) and reports the time to the
 * first drawn view, and how many nodes were merged or left below.
 *
 * Validity: a frame only ever appears at one depth, so no frame repeats on
 * a stack; then frame totals and edge samples are plain sums of node totals
 * and the contract's invariants (total = self + Σ children) hold exactly.
 */
import { Widget } from '@lumino/widgets';

import { GRAPH_FORMAT, GRAPH_VERSION, IGraphJSON } from '../src/model/graph-json';
import { FlameView } from '../src/views/flame-widget';
import { buildFlame, childrenOf } from '../src/views/flame';
import { FALLBACK_KIND_COLORS } from '../src/views/kinds';

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

(window as any).runFlameBench = async (nodes: number, maxNodes: number, minNodeFraction: number) => {
  const t0 = performance.now();
  const graph = syntheticGraph(nodes);
  const built = performance.now();
  // Through JSON, as the widget gets it from the server.
  const text = JSON.stringify(graph);
  const t1 = performance.now();
  const parsed = JSON.parse(text) as IGraphJSON;
  const parsedAt = performance.now();
  // The pure builder alone, for the breakdown (the widget runs it again below).
  const b0 = performance.now();
  buildFlame(parsed, { maxNodes, minNodeFraction, root: 0, maxDepth: 14, colors: { ...FALLBACK_KIND_COLORS } }, childrenOf(parsed.tree.parent));
  const builderMs = performance.now() - b0;
  const t1b = performance.now();
  const view = new FlameView();
  Widget.attach(view, document.body);
  const drawn = new Promise<void>(resolve => view.drawn.connect(() => resolve()));
  view.setGraph(parsed, { maxNodes, minNodeFraction });
  await drawn;
  // Until the browser has painted the first frame after the draw.
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const t2 = performance.now();
  const v = view.view!;
  const note = document.querySelector('.jp-vmprof-flame-note')?.textContent ?? '';
  const boxes = document.querySelectorAll('.jp-vmprof-flame g.slice').length;
  view.dispose();
  return {
    nodes: parsed.tree.frame.length,
    frames: parsed.frames.length,
    jsonMB: text.length / 1e6,
    buildGraphMs: built - t0,
    parseMs: parsedAt - t1,
    builderMs,
    timeToFirstViewMs: t2 - t1b + (parsedAt - t1),
    boxesDrawn: boxes,
    mergedNodes: v.mergedNodes,
    mergedBoxes: v.mergedBoxes,
    deeperNodes: v.deeperNodes,
    note
  };
};
