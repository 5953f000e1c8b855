import { buildFlame, canShowLabel, childrenOf, NO_LABEL, subtreeSizes } from '../../src/views/flame';
import { bigGraph, graphFromStacks, smallGraph } from './fixture';

const defaults = { maxNodes: 1500, minNodeFraction: 0 };

/** Each trace entry's value minus its children's values must not go negative. */
function checkTotals(trace: ReturnType<typeof buildFlame>['trace']): void {
  const childSum = new Map<string, number>();
  trace.parents.forEach((p, i) => {
    if (p) {
      childSum.set(p, (childSum.get(p) ?? 0) + trace.values[i]);
    }
  });
  trace.ids.forEach((id, i) => {
    expect(childSum.get(id) ?? 0).toBeLessThanOrEqual(trace.values[i]);
  });
}

describe('buildFlame', () => {
  it('draws the whole small tree with the root on top and branchvalues total', () => {
    const graph = smallGraph();
    const view = buildFlame(graph, defaults);
    const { trace } = view;
    expect(trace.type).toBe('icicle');
    expect(trace.branchvalues).toBe('total');
    expect(trace.tiling.orientation).toBe('v');
    expect(trace.ids.length).toBe(graph.tree.frame.length);
    expect(trace.parents[0]).toBe('');
    expect(trace.values[0]).toBe(100);
    expect(trace.labels[0]).toBe('all samples');
    expect(new Set(trace.ids).size).toBe(trace.ids.length);
    trace.parents.forEach(p => p === '' || expect(trace.ids).toContain(p));
    expect(view.mergedBoxes).toBe(0);
    expect(view.mergedNodes).toBe(0);
    checkTotals(trace);
  });

  it('gives self, inclusive, percent of the view and estimated time in the hover', () => {
    const graph = smallGraph();
    const { trace, treeNodes } = buildFlame(graph, defaults);
    const work = treeNodes.findIndex(
      n => n >= 0 && graph.tree.frame[n] >= 0 && graph.frames[graph.tree.frame[n]].name === 'work'
    );
    const hover = trace.hovertext[work];
    expect(hover).toContain('<b>work</b>');
    expect(hover).toContain('/home/user/demo.py:10');
    expect(hover).toContain('inclusive: 60 samples (60.0% of view) ≈ 240 ms');
    expect(hover).toContain('self: 10 samples (10.0% of view) ≈ 40.0 ms');
  });

  it('shows no time when the profile measured none', () => {
    const graph = smallGraph();
    graph.profile.secondsPerSample = null;
    const { trace } = buildFlame(graph, defaults);
    trace.hovertext.forEach(h => expect(h).not.toContain('≈'));
  });

  it('colours frames by kind', () => {
    const graph = smallGraph();
    const colors = {
      python: 'p', native: 'n', jit: 'j', interpreter: 'i', unknown: 'u', merged: 'm', root: 'r'
    };
    const { trace, treeNodes } = buildFlame(graph, { ...defaults, colors });
    treeNodes.forEach((n, i) => {
      const f = graph.tree.frame[n];
      const expected = f < 0 ? 'r' : colors[graph.frames[f].kind];
      expect(trace.marker.colors[i]).toBe(expected);
    });
  });

  it('escapes markup in names so plotly shows the characters', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const graph = graphFromStacks([
      { stack: ['main', evil], count: 5 },
      { stack: ['main', 'a&b <b>bold</b>'], count: 5 }
    ]);
    const { trace } = buildFlame(graph, defaults);
    expect(trace.labels).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(trace.labels).toContain('a&amp;b &lt;b&gt;bold&lt;/b&gt;');
    for (const text of [...trace.labels, ...trace.hovertext]) {
      expect(text).not.toContain('<img');
      expect(text).not.toContain('<b>bold');
    }
  });

  it('merges the lightest children into one "N smaller frames" box per parent', () => {
    const stacks = [{ stack: ['main', 'big'], count: 900 }];
    for (let i = 0; i < 20; i++) {
      stacks.push({ stack: ['main', `tiny${i}`], count: 5 });
    }
    const graph = graphFromStacks(stacks);
    const view = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0.01 });
    const merged = view.treeNodes.indexOf(-1);
    expect(merged).toBeGreaterThan(0);
    expect(view.trace.labels[merged]).toBe('20 smaller frames');
    expect(view.trace.values[merged]).toBe(100);
    expect(view.mergedBoxes).toBe(1);
    expect(view.mergedNodes).toBe(20);
    expect(view.shownNodes).toBe(3); // root, main, big
    checkTotals(view.trace);
  });

  it('never draws more than maxNodes boxes and keeps the heaviest', () => {
    const graph = bigGraph(20000);
    const n = graph.tree.frame.length;
    expect(n).toBeGreaterThan(10000);
    const started = Date.now();
    const view = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(view.trace.ids.length).toBeLessThanOrEqual(1500);
    expect(view.trace.ids.length).toBeGreaterThan(1400);
    expect(view.shownNodes + view.mergedNodes).toBe(n);
    checkTotals(view.trace);
    // Heaviest first: every drawn node (but the root) outweighs every node
    // left out whose parent is drawn.
    const drawn = new Set(view.treeNodes.filter(x => x >= 0));
    const children = childrenOf(graph.tree.parent);
    let lightestDrawn = Infinity;
    let heaviestLeft = 0;
    for (const d of drawn) {
      if (d !== 0) {
        lightestDrawn = Math.min(lightestDrawn, graph.tree.total[d]);
      }
      for (const c of children[d]) {
        if (!drawn.has(c)) {
          heaviestLeft = Math.max(heaviestLeft, graph.tree.total[c]);
        }
      }
    }
    expect(lightestDrawn).toBeGreaterThanOrEqual(heaviestLeft);
    // Merged boxes carry exactly what their parent's hidden children held.
    view.treeNodes.forEach((node, i) => {
      if (node === -1) {
        const parent = Number(view.trace.parents[i].slice(1));
        const hidden = children[parent].filter(c => !drawn.has(c));
        const sum = hidden.reduce((s, c) => s + graph.tree.total[c], 0);
        expect(view.trace.values[i]).toBe(sum);
      }
    });
  });

  it('respects small budgets exactly', () => {
    const graph = bigGraph(3000, 7);
    for (const maxNodes of [2, 3, 10, 57, 300]) {
      const view = buildFlame(graph, { maxNodes, minNodeFraction: 0 });
      expect(view.trace.ids.length).toBeLessThanOrEqual(maxNodes);
      checkTotals(view.trace);
    }
  });

  it('rebuilds a view from a zoom root, with percentages of that view', () => {
    const graph = smallGraph();
    const workNode = graph.tree.frame.findIndex(
      f => f >= 0 && graph.frames[f].name === 'work'
    );
    const view = buildFlame(graph, { ...defaults, root: workNode });
    expect(view.viewRoot).toBe(workNode);
    expect(view.viewTotal).toBe(60);
    expect(view.trace.parents[0]).toBe('');
    expect(view.trace.labels[0]).toBe('work');
    expect(view.trace.ids.length).toBe(2);
    expect(view.trace.hovertext[0]).toContain('(100.0% of view)');
  });

  it('handles an empty profile', () => {
    const graph = graphFromStacks([]);
    const view = buildFlame(graph, defaults);
    expect(view.trace.ids).toEqual(['n0']);
    expect(view.trace.values).toEqual([0]);
  });
});

describe('subtreeSizes', () => {
  it('counts each node with its descendants', () => {
    expect(subtreeSizes([-1, 0, 0, 1, 3])).toEqual([5, 3, 1, 2, 1]);
  });
});

describe('buildFlame depth limit', () => {
  it('stops at maxDepth levels and counts the deeper nodes', () => {
    const deep = Array.from({ length: 30 }, (_, i) => `f${i}`);
    const graph = graphFromStacks([
      { stack: deep, count: 10 },
      { stack: ['f0', 'side'], count: 2 }
    ]);
    const view = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0, maxDepth: 5 });
    expect(view.trace.maxdepth).toBe(5);
    // root + f0..f3 on the chain, and 'side' at level 2
    expect(view.shownNodes).toBe(6);
    expect(view.mergedBoxes).toBe(0);
    expect(view.deeperNodes).toBe(graph.tree.frame.length - 6);
    // Zooming into the last drawn level shows what lies below.
    const f3 = view.treeNodes[view.trace.labels.indexOf('f3')];
    const zoomed = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0, maxDepth: 5, root: f3 });
    expect(zoomed.trace.labels).toEqual(['f3', 'f4', 'f5', 'f6', 'f7']);
  });
});

describe('buildFlame for a 100,000-node profile (issue 6)', () => {
  it('gives no label to boxes too narrow for a few characters, cuts long ones with an ellipsis', () => {
    const graph = bigGraph(20000);
    const all = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0.001 });
    const narrow = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0.001, plotWidth: 1000 });
    // The same boxes, values and hover texts: only labels change.
    expect(narrow.trace.ids).toEqual(all.trace.ids);
    expect(narrow.trace.values).toEqual(all.trace.values);
    expect(narrow.trace.hovertext).toEqual(all.trace.hovertext);
    let dropped = 0;
    let cut = 0;
    narrow.trace.labels.forEach((label, i) => {
      const width = (narrow.trace.values[i] / narrow.viewTotal) * 1000;
      if (label === NO_LABEL) {
        dropped++;
        // Not even three characters (ellipsis included) fit.
        expect(width).toBeLessThan(3 * 7.5 + 6);
      } else if (label !== all.trace.labels[i]) {
        cut++;
        expect(label.endsWith('…')).toBe(true);
        expect(all.trace.labels[i].startsWith(label.slice(0, -1))).toBe(true);
        expect(label.length * 7.5).toBeLessThanOrEqual(width);
      }
    });
    expect(dropped).toBeGreaterThan(narrow.trace.ids.length / 2);
    expect(cut).toBeGreaterThan(0);
    expect(canShowLabel('abc', 1000)).toBe(true);
    expect(narrow.trace.labels[0]).toBe('all samples');
  });

  it('keeps every label when the width is unknown', () => {
    const graph = bigGraph(5000);
    const view = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0.001 });
    expect(view.trace.labels).not.toContain(NO_LABEL);
  });

  it('draws no merged box thinner than the threshold, yet counts its nodes', () => {
    const stacks = [{ stack: ['main', 'big'], count: 9000 }];
    for (let i = 0; i < 20; i++) {
      stacks.push({ stack: ['main', 'big', `tiny${i}`], count: 1 }); // 1 sample each, 20 (0.2%) in all
      stacks.push({ stack: ['main', `small${i}`], count: 40 }); // 40 (0.4%) each, 800 (8%) in all
    }
    const graph = graphFromStacks(stacks);
    const view = buildFlame(graph, { maxNodes: 1500, minNodeFraction: 0.005 });
    // small0..19 (0.4% each) under one merged box of 8%; tiny0..19 (0.2% in all) without one.
    expect(view.trace.labels.filter(l => l.endsWith('smaller frames'))).toEqual(['20 smaller frames']);
    expect(view.mergedBoxes).toBe(1);
    expect(view.mergedNodes).toBe(40);
    expect(view.unboxedNodes).toBe(20);
    expect(view.shownNodes + view.mergedNodes + view.deeperNodes).toBe(graph.tree.frame.length);
    checkTotals(view.trace);
  });
});
