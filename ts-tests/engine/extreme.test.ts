/**
 * Extreme but valid files: memory is bounded (a clear `too-large` error
 * naming the limit rather than gigabytes), and so are the timeline and the
 * warnings. bench/extreme_files.py measures the peak memory of each kind.
 */
import { VmprofFormatError, readVmprof } from '../../src/formats/vmprof';
import { JSON_NODE_BYTES, checkMemoryBudget } from '../../src/formats/vmprof-budget';
import { TIMELINE_CELLS, TIMELINE_CELLS_PER_SAMPLE, timeline } from '../../src/model/timeline';
import { VmprofWriter } from './vmprof-writer';

const CODE = 0x7f0000000000;

/** A Linux 64-bit version-6 file of `count` samples, written straight into a buffer. */
function fileOf(count: number, depth: (i: number) => number, entry: (i: number, j: number) => number,
  thread: (i: number) => number): Uint8Array {
  const head = new VmprofWriter().header().bytes();
  let size = head.length + 1;
  for (let i = 0; i < count; i++) {
    size += 1 + 16 + 8 * depth(i) + 8;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(head);
  let at = head.length;
  for (let i = 0; i < count; i++) {
    const d = depth(i);
    out[at] = 1;
    view.setBigInt64(at + 1, 1n, true);
    view.setBigInt64(at + 9, BigInt(d), true);
    at += 17;
    for (let j = 0; j < d; j++, at += 8) {
      view.setBigInt64(at, BigInt(entry(i, j)), true);
    }
    view.setBigInt64(at, BigInt(thread(i)), true);
    at += 8;
  }
  out[at] = 3; // trailer (version 6: a time payload would follow; the reader accepts it cut)
  return out.subarray(0, at);
}

describe('ordinary profiles are never refused', () => {
  // A native-mode numpy cell names its C functions from the libraries' symbol tables, not from
  // the file, so its estimate is many times its size: these counts are the demo notebook's numpy
  // cell on an AMD EPYC machine (181,770 bytes), which a 4 MB floor refused for callgrind.
  const demoCell = { samples: 207, names: 466, threads: 1, nodes: 2433, functions: 844 };
  test.each([
    ['callgrind', demoCell],
    ['Graph JSON', { ...demoCell, nodeBytes: JSON_NODE_BYTES }],
    // A minute-long native cell: 15,000 samples, 20,000 call-tree nodes, 3,000 functions, 3 MB.
    ['callgrind, a long cell', { samples: 15000, names: 2000, threads: 4, nodes: 20000, functions: 3000 }]
  ])('%s', (_, counts) => {
    const size = counts.samples > 1000 ? 3 << 20 : 181770;
    expect(() => checkMemoryBudget(size, counts)).not.toThrow();
  });
});

describe('extreme but valid files', () => {
  test('distinct stacks 65,536 deep: too-large, naming the limit, before using gigabytes', () => {
    // 16 distinct stacks: a million call-tree nodes from an 8 MB file.
    let seed = 7;
    const bytes = fileOf(16, () => 1 << 16, () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return CODE + 16 * (seed % 1000);
    }, () => 0x1000);
    let error: unknown;
    try {
      readVmprof(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VmprofFormatError);
    expect((error as VmprofFormatError).code).toBe('too-large');
    expect((error as VmprofFormatError).message).toMatch(
      /would need about \d+ MB of memory \(\d+ call-tree nodes, .*more than the limit of 4 × its size or 32 MB, whichever is larger \(33 MB\)/
    );
  });

  test('a deep stack repeated is fine: the tree grows with distinct stacks only', () => {
    const bytes = fileOf(200, () => 4000, (_, j) => CODE + 16 * j, () => 0x1000);
    const p = readVmprof(bytes);
    expect(p.sampleStack.length).toBe(200);
    expect(p.stackFrame.length).toBe(4000);
  });

  test('many threads: the timeline has fewer bins per thread, as many in all as samples allow', () => {
    const threads = 20_000;
    // 20-deep stacks: enough bytes per thread in the file for its memory limit (vmprof-budget.ts).
    const bytes = fileOf(2 * threads, () => 20, (_, j) => CODE + 16 * j, i => 0x10000 + 16 * (i % threads));
    const p = readVmprof(bytes);
    expect(p.threads.length).toBe(threads);
    const t = timeline(p)!;
    // 40,000 samples allow 160,000 bins in all: 8 per thread, not the 50 the cell limit allows.
    expect(t.binCount).toBe(8);
    expect(t.threads.length * t.binCount).toBeLessThanOrEqual(TIMELINE_CELLS_PER_SAMPLE * 2 * threads);
    expect(t.threads.length * t.binCount).toBeLessThanOrEqual(TIMELINE_CELLS);
    expect(t.threads.reduce((n, th) => n + th.counts.reduce((a, b) => a + b, 0), 0)).toBe(2 * threads);
  });

  test('a repeated meta key makes one warning with the count, not one per record', () => {
    const w = new VmprofWriter().header().meta('os', 'linux');
    for (let i = 0; i < 10_000; i++) {
      w.meta('same', 'x');
    }
    const p = readVmprof(w.sample({ stack: [CODE] }).trailer(0).bytes());
    const repeated = p.info.warnings.filter(x => /repeated/.test(x));
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatch(/^meta key "same" repeated 9999 time\(s\), first at byte \d+; the first value was kept$/);
    expect(p.info.warnings.length).toBeLessThanOrEqual(3);
  });
});
