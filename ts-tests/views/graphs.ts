/**
 * Real Graph JSON for the view tests: the converter's output on the vmprof
 * files of test-data/profiles, saved under test-data/graphs by
 * test-data/graphs/generate.js, plus helpers to add what the hand-made
 * fixture (fixture.ts) leaves out (edges, line costs).
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync, readdirSync } from 'fs';
import { join } from 'path';

import type { IGraphEdge, IGraphJSON } from '../../src/model/graph-json';
import { graphFromStacks, IFrameSpec } from './fixture';

const GRAPHS = join(__dirname, '..', '..', 'test-data', 'graphs');
const ROOT = join(__dirname, '..', '..');
export const CONVERTER = join(ROOT, 'jupyterlab_vmprof', 'converter', 'vmprof-convert.js');

/** Fixture names (file names without `.json`). */
export const GRAPH_FIXTURES = readdirSync(GRAPHS)
  .filter(name => name.endsWith('.json'))
  .map(name => name.slice(0, -'.json'.length))
  .sort();

export function loadGraph(name: string): IGraphJSON {
  return JSON.parse(readFileSync(join(GRAPHS, `${name}.json`), 'utf-8')) as IGraphJSON;
}

/**
 * Graph JSON straight from the bundled converter, or null when the bundle
 * is not built (`jlpm build:converter`): these tests then skip.
 */
export function convertProfile(profile: string, args: string[] = []): IGraphJSON | null {
  if (!existsSync(CONVERTER)) {
    return null;
  }
  const path = join(ROOT, 'test-data', 'profiles', profile);
  const maps = path.replace(/\.(prof|tsprof)$/, '.maps');
  const all = [CONVERTER, path, '--format', 'json', ...args, ...(existsSync(maps) ? ['--maps', maps] : [])];
  const out = execFileSync(process.execPath, all, { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.toString()) as IGraphJSON;
}

/** The index of the first frame called `name` (fails the test if none). */
export function frameNamed(graph: IGraphJSON, name: string): number {
  const index = graph.frames.findIndex(f => f.name === name);
  if (index < 0) {
    throw new Error(`no frame named ${name}`);
  }
  return index;
}

/**
 * A hand-made graph with edges as the converter makes them: each caller →
 * callee pair once per sample, no self edges (f → f), root edges from -1,
 * sorted by (caller, callee).
 */
export function graphWithEdges(
  stacks: { stack: (string | IFrameSpec)[]; count: number }[],
  profile: Partial<IGraphJSON['profile']> = {}
): IGraphJSON {
  const graph = graphFromStacks(stacks, profile);
  const key = (f: IFrameSpec | string) => {
    const s = typeof f === 'string' ? { name: f } : f;
    return graph.frames.findIndex(
      fr => fr.name === s.name && fr.file === (s.file ?? 'demo.py') && fr.line === (s.line ?? 1)
    );
  };
  const counts = new Map<string, number>();
  for (const { stack, count } of stacks) {
    const frames = stack.map(key);
    const pairs = new Set<string>();
    frames.forEach((callee, i) => {
      const caller = i === 0 ? -1 : frames[i - 1];
      if (caller !== callee) {
        pairs.add(`${caller},${callee}`);
      }
    });
    pairs.forEach(p => counts.set(p, (counts.get(p) ?? 0) + count));
  }
  graph.edges = [...counts.entries()]
    .map(([p, samples]): IGraphEdge => {
      const [caller, callee] = p.split(',').map(Number);
      return { caller, callee, samples };
    })
    .sort((a, b) => a.caller - b.caller || a.callee - b.callee);
  return graph;
}

export const EVIL_NAME = '<img src=x onerror=alert(1)>';
export const EVIL_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';
