/**
 * The view builders on Graph JSON made right now by the bundled converter
 * (child_process), not only on the saved fixtures: catches a converter
 * change the fixtures do not have yet. Skips when the bundle is not built.
 * Only invariants here: native names depend on the libraries of the
 * machine, so the output is not compared with the fixtures.
 */
import { existsSync } from 'fs';

import { buildFlame } from '../../src/views/flame';
import { buildCallers, buildCallIndex } from '../../src/views/callers';
import { buildLegend } from '../../src/views/legend';
import { buildLines } from '../../src/views/lines';
import { highlightFlame, searchFrames } from '../../src/views/search';
import { graphQuery, threadOptions } from '../../src/views/threads';
import { buildTimeline } from '../../src/views/timeline';
import { CONVERTER, convertProfile } from './graphs';

const cases: [string, string[]][] = [
  ['vmprof-0.6.0/lines_memory.prof', []],
  ['vmprof-0.6.0/threads.prof', []],
  ['third-party/vmprof_cpuburn.prof', []]
];

(existsSync(CONVERTER) ? describe.each(cases) : describe.skip.each(cases))(
  'fresh converter output for %s %j',
  (profile, args) => {
    const graph = convertProfile(profile, args)!;

    it('feeds every builder', () => {
      expect(graph.profile.samples).toBeGreaterThan(0);
      const legend = buildLegend(graph);
      expect(legend.reduce((s, e) => s + Math.round(e.percent * 10), 0)).toBe(1000);

      const index = buildCallIndex(graph);
      graph.frames.forEach((frame, f) => {
        const view = buildCallers(graph, f, index)!;
        view.callers.forEach(r => expect(r.samples).toBeLessThanOrEqual(frame.total));
      });

      const timeline = buildTimeline(graph)!;
      expect(timeline.traces.length).toBeGreaterThanOrEqual(graph.profile.threads.length);
      expect(timeline.hasRss).toBe(graph.profile.mode.memory);

      if (graph.profile.mode.lines) {
        expect(Object.keys(graph.lines ?? {}).length).toBeGreaterThan(0);
        for (const key of Object.keys(graph.lines!)) {
          const view = buildLines(graph, Number(key))!;
          // Lines' self: the function's own samples plus the C code its lines call (native mode).
          const lineSelf = view.rows.reduce((s, r) => s + r.self, 0);
          expect(lineSelf).toBeGreaterThanOrEqual(graph.frames[Number(key)].self);
          expect(lineSelf).toBeLessThanOrEqual(graph.frames[Number(key)].total);
        }
      } else {
        expect(buildLines(graph, 0)).toBeNull();
      }

      const options = threadOptions(graph.profile);
      expect(options[0].id).toBeNull();
      options.slice(1).forEach(o => expect(graphQuery(o.id)).toBe(`?thread=${o.id}`));

      const flame = buildFlame(graph, { maxNodes: 50, minNodeFraction: 0.001 });
      const matches = searchFrames(graph, '/./')!.frames;
      const lit = highlightFlame(graph, flame, matches);
      expect(lit.matchedSamples).toBe(graph.tree.total[0] - graph.tree.self[0]);
    });
  }
);
