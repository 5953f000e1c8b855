/** Stacks in time order (src/model/time-order.ts) on real profiles: runs, order, bounds. */

import { kthSmallest, timeOrder } from '../../src/model/time-order';
import { callTree } from '../../src/model/call-graph';
import { load } from './helpers';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('time order', () => {
  test('threads.prof: runs of one thread cover its samples, in time order, merged', () => {
    const p = load('vmprof-0.6.0/threads.prof');
    const tree = callTree(p);
    for (let t = 0; t < p.threads.length; t++) {
      const order = timeOrder(p, tree, t)!;
      const own = Array.from(p.sampleThread).filter(x => x === t).length;
      expect(order.thread).toBe(p.threads[t]);
      expect(order.axis).toBe('cpu');
      expect(sum(order.samples) + order.untimed).toBe(own);
      expect(order.coarsened).toBe(false);
      for (let i = 1; i < order.node.length; i++) {
        expect(order.start[i]).toBeGreaterThanOrEqual(order.start[i - 1]);
        expect(order.node[i]).not.toBe(order.node[i - 1]);
      }
      expect(order.end).toBeGreaterThanOrEqual(order.start[order.start.length - 1]);
      // Each run's node is the stack of its samples: a leaf frame's name, replayed.
      let k = 0;
      const samples = Array.from(p.sampleThread.keys()).filter(i => p.sampleThread[i] === t);
      order.node.forEach((node, run) => {
        const sample = samples[k];
        const stack = p.sampleStack[sample];
        expect(tree.frame[node]).toBe(stack < 0 ? -1 : p.stackFrame[stack]);
        k += order.samples[run];
      });
    }
  });

  test('a bound: coarsened runs keep only what all their samples shared', () => {
    const p = load('vmprof-0.6.0/lines_memory.prof');
    const tree = callTree(p);
    const full = timeOrder(p, tree, 0)!;
    expect(full.node.length).toBeGreaterThan(20);
    const small = timeOrder(p, tree, 0, 10)!;
    expect(small.coarsened).toBe(true);
    expect(small.node.length).toBeLessThanOrEqual(10);
    expect(sum(small.samples)).toBe(sum(full.samples));
    // A coarse run's node is an ancestor (or the same) of each of its samples' nodes.
    const isAncestor = (a: number, b: number) => {
      for (let n = b; n >= 0; n = n === 0 ? -1 : tree.parent[n]) {
        if (n === a) {
          return true;
        }
      }
      return false;
    };
    const perSample: number[] = [];
    full.node.forEach((n, i) => perSample.push(...new Array(full.samples[i]).fill(n)));
    let k = 0;
    small.node.forEach((n, i) => {
      for (let j = 0; j < small.samples[i]; j++, k++) {
        expect(isAncestor(n, perSample[k])).toBe(true);
      }
    });
  });

  test('real-time profiles are on the wall clock', () => {
    const p = load('vmprof-0.6.0/threads_realtime.prof');
    expect(timeOrder(p, callTree(p), 0)!.axis).toBe('wall');
  });
});

describe("kthSmallest (the last sample's width: the median gap)", () => {
  const sorted = (xs: Float64Array) => Float64Array.from(xs).sort();
  // A small deterministic generator: the same arrays every run.
  let seed = 16;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const cases: Array<[string, Float64Array]> = [
    ['one timer period', new Float64Array(10001).fill(0.004)],
    ['random', Float64Array.from({ length: 9999 }, () => next() * 10 - 5)],
    ['few values', Float64Array.from({ length: 5000 }, () => Math.floor(next() * 3) * 0.004)],
    ['ascending', Float64Array.from({ length: 4096 }, (_, i) => i)],
    ['descending', Float64Array.from({ length: 4097 }, (_, i) => -i)],
    ['one', Float64Array.of(7)],
    ['two', Float64Array.of(9, 3)]
  ];
  test.each(cases)('gives what sorting gives at every tested index: %s', (_, values) => {
    const want = sorted(values);
    for (const k of [0, values.length >> 1, values.length - 1, (values.length * 3) >> 2]) {
      expect(kthSmallest(Float64Array.from(values), k)).toBe(want[k]);
    }
  });
});
