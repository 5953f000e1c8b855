/**
 * Callgrind export checked by an independent reader, callgrind_annotate
 * (valgrind), on every sample profile: no stderr at all, totals = samples,
 * self costs = ours, inclusive costs = ours for every function, recursive or
 * not. Plus a structural parse of our own output.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { placeOf, toCallgrind, uniqueNames } from '../../src/formats/callgrind';
import { IProfile } from '../../src/model/profile';
import { callGraph } from '../../src/model/call-graph';
import { prepareProfile } from '../../src/symbols/prepare';
import { allProfiles, load } from './helpers';

const ANNOTATE = '/usr/bin/callgrind_annotate';
const haveAnnotate = existsSync(ANNOTATE);
const dir = mkdtempSync(join(tmpdir(), 'vmprof-cg-'));

function annotate(file: string, extra: string[]): string {
  const r = spawnSync(ANNOTATE, ['--threshold=100', '--auto=no', ...extra, file], {
    encoding: 'utf-8',
    // callgrind_annotate shortens `fl=` paths under its working directory but
    // not `cfl=` ones, which splits a function in two; run it where no profile lives.
    cwd: dir
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Rows `COST (PCT)  MARK? file:function [object]` → cost by row text. */
function rows(out: string, mark: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const r = /^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*)$/.exec(line);
    if (!r || !r[2]) {
      continue;
    }
    let text = r[2];
    if (mark) {
      if (!text.startsWith(`${mark}  `)) {
        continue;
      }
      text = text.slice(mark.length).trimStart();
    }
    m.set(text, Number(r[1].replace(/,/g, '')));
  }
  return m;
}

/** How callgrind_annotate prints a function: `file:function [object]`. */
function rowText(profile: IProfile, frame: number, names: string[]): string {
  const p = placeOf(profile.frames[frame]);
  return `${p.fl}:${names[frame]} [${p.ob}]`;
}

function checkStructure(text: string, samples: number): void {
  const defined = { ob: new Set<string>(), fl: new Set<string>(), fn: new Set<string>() };
  let selfSum = 0;
  let afterCalls = false;
  const lines = text.split('\n');
  const eventsAt = lines.indexOf('events: Samples');
  expect(lines.slice(0, 3)).toEqual(['# callgrind format', 'version: 1', 'creator: x']);
  expect(lines[eventsAt + 1]).toBe(`summary: ${samples}`);
  expect(lines.filter(l => l.startsWith('events:')).length).toBe(1);
  for (const line of lines.slice(eventsAt + 2)) {
    const spec = /^c?(ob|fl|fn)=\((\d+)\)( .*)?$/.exec(line);
    if (spec) {
      const space = defined[spec[1] as 'ob' | 'fl' | 'fn'];
      if (spec[3] !== undefined) {
        expect(space.has(spec[2])).toBe(false); // each id defined once
        space.add(spec[2]);
      } else {
        expect(space.has(spec[2])).toBe(true); // used after its definition
      }
      continue;
    }
    const calls = /^calls=(\d+) \d+$/.exec(line);
    if (calls) {
      expect(Number(calls[1])).toBeGreaterThanOrEqual(1);
      afterCalls = true;
      continue;
    }
    const cost = /^(\d+) (\d+)$/.exec(line);
    if (cost) {
      if (!afterCalls) {
        selfSum += Number(cost[2]);
      }
      afterCalls = false;
    }
  }
  expect(selfSum).toBe(samples);
  expect(lines[lines.length - 2]).toBe(`totals: ${samples}`);
}

const describeIfAnnotate = haveAnnotate ? describe : describe.skip;

describeIfAnnotate('callgrind export read by callgrind_annotate', () => {
  for (const file of allProfiles()) {
    test(file, () => {
      const profile = prepareProfile(load(file));
      const graph = callGraph(profile);
      const text = toCallgrind(profile, { creator: 'x' });
      checkStructure(text, graph.samples);
      const path = join(dir, file.replace(/\W/g, '_') + '.callgrind');
      writeFileSync(path, text);
      const names = uniqueNames(profile.frames);

      const selfOut = annotate(path, []);
      expect(selfOut).toMatch(new RegExp(`^${graph.samples.toLocaleString('en-US')} \\(100\\.0%\\)  PROGRAM TOTALS`, 'm'));
      const selfRows = rows(selfOut, '');
      for (let f = 0; f < profile.frames.length; f++) {
        if (graph.self[f] > 0) {
          const key = [...selfRows.keys()].find(k => k === rowText(profile, f, names));
          expect(key).toBeDefined();
          expect(selfRows.get(key!)).toBe(graph.self[f]);
        }
      }

      const inclOut = annotate(path, ['--inclusive=yes', '--tree=both']);
      const inclRows = rows(inclOut, '*');
      for (let f = 0; f < profile.frames.length; f++) {
        if (graph.total[f] > 0) {
          const key = [...inclRows.keys()].find(k => k === rowText(profile, f, names));
          expect(key).toBeDefined();
          expect(inclRows.get(key!)).toBe(graph.total[f]);
        }
      }
      expect(inclRows.get('[root]:<root> [[root]]')).toBe(graph.samples);
    });
  }
});
