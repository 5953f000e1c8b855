/**
 * The view builders over Graph JSON made by the engine from real vmprof
 * files (test-data/profiles): the contract holds end to end, and the
 * invariants the views promise (bounded boxes, percentages adding up)
 * hold on real trees, not only on hand-made ones.
 */
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';

import { toGraphJSON } from '../../src/formats/graph-json';
import { readVmprof } from '../../src/formats/vmprof';
import { prepareProfile } from '../../src/symbols/prepare';
import { buildFlame } from '../../src/views/flame';
import { buildTable } from '../../src/views/table';
import { summaryText } from '../../src/views/summary';

const DATA = join(__dirname, '..', '..', 'test-data', 'profiles');
const files = ['generated', 'vmprof-0.6.0', 'third-party'].flatMap(dir =>
  readdirSync(join(DATA, dir))
    .filter(name => /\.(prof|tsprof)$/.test(name))
    .map(name => join(dir, name))
);

describe.each(files)('%s', file => {
  const graph = toGraphJSON(prepareProfile(readVmprof(new Uint8Array(readFileSync(join(DATA, file))))), {
    creator: 'test'
  });

  it('has a root holding every sample of the view', () => {
    expect(graph.tree.total[0]).toBe(graph.profile.samples);
  });

  it('draws a bounded flame graph whose boxes fit in their parents', () => {
    for (const maxNodes of [60, 1500]) {
      const view = buildFlame(graph, { maxNodes, minNodeFraction: 0.001, maxDepth: 14 });
      const { trace } = view;
      expect(trace.ids.length).toBeLessThanOrEqual(maxNodes);
      expect(trace.values[0]).toBe(graph.profile.samples);
      const childSum = new Map<string, number>();
      trace.parents.forEach((p, i) => p && childSum.set(p, (childSum.get(p) ?? 0) + trace.values[i]));
      trace.ids.forEach((id, i) => expect(childSum.get(id) ?? 0).toBeLessThanOrEqual(trace.values[i]));
      expect(view.shownNodes + view.mergedNodes + view.deeperNodes).toBe(graph.tree.frame.length);
    }
  });

  it('builds a table whose self percentages add up to 100%', () => {
    const view = buildTable(graph, { maxRows: 50 });
    const selfSum = view.rows.reduce((s, r) => s + r.self, 0);
    expect(selfSum).toBe(graph.profile.samples);
    if (graph.profile.samples > 0) {
      const tenths = view.rows.reduce((s, r) => s + Math.round(r.selfPercent * 10), 0);
      expect(tenths).toBe(1000);
    }
    for (const row of view.rows) {
      expect(row.totalPercent ?? 0).toBeLessThanOrEqual(100);
    }
    expect(summaryText(graph)).toMatch(/^[\d,]+ samples · /);
  });
});
