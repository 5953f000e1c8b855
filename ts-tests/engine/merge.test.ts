/**
 * Several processes' profiles as one (model/merge.ts, `vmprof-convert --parts`):
 * what `%%vmprof --workers` shows for "all workers".
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { mergeProfiles } from '../../src/model/merge';
import { IProfile } from '../../src/model/profile';
import { prepareProfile } from '../../src/symbols/prepare';
import { PROFILES, ROOT, functionCounts, load, runPackageScript } from './helpers';

const BUNDLE = join(ROOT, 'jupyterlab_vmprof/converter/vmprof-convert.js');
const A = 'vmprof-0.6.0/mixed.prof';
const B = 'vmprof-0.6.0/threads.prof';

function merged(): { a: IProfile; b: IProfile; both: IProfile } {
  const a = prepareProfile(load(A));
  const b = prepareProfile(load(B));
  return { a, b, both: mergeProfiles([{ label: 'worker 0', profile: a }, { label: 'worker 1', profile: b }]) };
}

describe('merging processes', () => {
  test('every sample is kept, and a function run by both is one function with both counts', () => {
    const { a, b, both } = merged();
    expect(both.sampleStack.length).toBe(a.sampleStack.length + b.sampleStack.length);
    const [ca, cb, cm] = [functionCounts(a), functionCounts(b), functionCounts(both)];
    const shared = [...ca.keys()].filter(k => cb.has(k));
    expect(shared.length).toBeGreaterThan(0);
    for (const key of new Set([...ca.keys(), ...cb.keys()])) {
      const [sa, ia] = ca.get(key) ?? [0, 0];
      const [sb, ib] = cb.get(key) ?? [0, 0];
      expect({ key, counts: cm.get(key) }).toEqual({ key, counts: [sa + sb, ia + ib] });
    }
  });

  test("threads keep their process's label", () => {
    const { a, b, both } = merged();
    expect(both.threads).toEqual([...a.threads.map(t => `worker 0/${t}`), ...b.threads.map(t => `worker 1/${t}`)]);
  });
});

describe('vmprof-convert --parts', () => {
  beforeAll(() => {
    runPackageScript('build:converter');
  });
  const dir = mkdtempSync(join(tmpdir(), 'vmprof-parts-'));
  const manifest = join(dir, 'parts.json');
  writeFileSync(
    manifest,
    JSON.stringify({
      parts: [
        { label: 'worker 0', profile: join(PROFILES, A), maps: join(PROFILES, 'vmprof-0.6.0/mixed.maps') },
        { label: 'worker 1', profile: join(PROFILES, B), maps: null, jitSymbols: null, perfMaps: [] }
      ]
    })
  );
  const run = (...args: string[]) => spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf-8', maxBuffer: 1 << 28 });

  test('Graph JSON of the merged parts: threads named by process, samples of both', () => {
    const r = run('--parts', manifest);
    expect(r.status).toBe(0);
    const graph = JSON.parse(r.stdout);
    const labels: string[] = graph.profile.threads.map((t: { label: string }) => t.label);
    expect(labels.some(l => l.startsWith('worker 0: '))).toBe(true);
    expect(labels.some(l => l.startsWith('worker 1: '))).toBe(true);
    expect(graph.profile.totalSamples).toBe(load(A).sampleStack.length + load(B).sampleStack.length);
  });

  test('one thread of one process, as the thread chooser asks for it', () => {
    const all = JSON.parse(run('--parts', manifest).stdout);
    const one = all.profile.threads.find((t: { id: string }) => t.id.startsWith('worker 1/'));
    const r = run('--parts', manifest, '--thread', one.id);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).profile.samples).toBe(one.samples);
  });

  test('a bad manifest is a usage error that names the problem', () => {
    writeFileSync(join(dir, 'bad.json'), '{"parts": [{"label": "a/b", "profile": "x"}]}');
    const r = run('--parts', join(dir, 'bad.json'));
    expect(r.status).toBe(2);
    const error = JSON.parse(r.stderr.trim().split('\n').pop()!).error;
    expect(error.code).toBe('usage');
    expect(error.message).toContain('part 0: needs a "label" without "/"');
  });
});
