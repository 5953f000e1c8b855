/**
 * The copy of a profile saved in its output (src/views/embedded.ts): what the
 * kernel writes (gzip, base64; kernel/embed.py) decodes to the same Graph
 * JSON, and damaged or foreign copies are refused with a sentence.
 */
import { gzipSync } from 'zlib';

import {
  copyNotice,
  decodeGraph,
  embeddedCopy,
  EMBED_FORMAT,
  gunzipBase64,
  hasRawProfile
} from '../../src/views/embedded';
import { smallGraph } from './fixture';

function copyOf(value: unknown, extra: Record<string, unknown> = {}) {
  const graph = gzipSync(Buffer.from(JSON.stringify(value))).toString('base64');
  return embeddedCopy({ format: EMBED_FORMAT, version: 1, encoding: 'gzip+base64', graph, pruned: null, ...extra })!;
}

describe('the copy saved in an output', () => {
  it('decodes to the graph the kernel saved', async () => {
    const graph = smallGraph();
    expect(await decodeGraph(copyOf(graph))).toEqual(graph);
  });

  it('is refused when it is not one this version reads', () => {
    expect(embeddedCopy(null)).toBeNull();
    expect(embeddedCopy({ format: 'other', version: 1, encoding: 'gzip+base64', graph: '' })).toBeNull();
    expect(embeddedCopy({ format: EMBED_FORMAT, version: 2, encoding: 'gzip+base64', graph: '' })).toBeNull();
  });

  it('says what is wrong with a damaged or foreign graph', async () => {
    const damaged = { ...copyOf(smallGraph()), graph: 'bm90IGd6aXA=' };
    await expect(decodeGraph(damaged)).rejects.toThrow('damaged');
    await expect(decodeGraph(copyOf({ format: 'x', version: 1 }))).rejects.toThrow('another version');
  });

  it('refuses a copy that inflates past the bound (a gzip bomb stays small)', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024)).toString('base64');
    await expect(gunzipBase64(bomb, 1024 * 1024)).rejects.toThrow('more than 1048576 bytes');
    expect((await gunzipBase64(bomb)).length).toBe(4 * 1024 * 1024);
  });

  it('says where the view comes from, and what pruning left out', () => {
    const whole = copyOf(smallGraph());
    expect(copyNotice(whole)).toContain('not in the profile store');
    expect(copyNotice(whole)).not.toContain('pruned');
    const pruned = copyOf(smallGraph(), { pruned: { minSamples: 4, nodes: 120, nodesBefore: 900, frames: 30 } });
    expect(copyNotice(pruned)).toContain('120 of 900 call-tree nodes under 4 samples');
  });

  it('offers the import only with the raw profile', () => {
    expect(hasRawProfile(copyOf(smallGraph()))).toBe(false);
    expect(hasRawProfile(copyOf(smallGraph(), { raw: { 'profile.prof': 'eA==' } }))).toBe(true);
  });
});
