/**
 * Files damaged in the middle (a flipped byte, a stray zero byte, an
 * over-long length): every sample before the damage is kept, reading resumes
 * at the next recognisable record, the damage is reported where it starts,
 * and no garbage becomes a phantom thread or sample. Fuzz-style: many
 * offsets on real files.
 */
import { VmprofFormatError, readVmprof } from '../../src/formats/vmprof';
import { readVmprofRecords } from '../../src/formats/vmprof-records';
import { IVmprofRecords } from '../../src/formats/vmprof-layout';
import { bytesOf } from './helpers';
import { VmprofWriter } from './vmprof-writer';

const FILES = [
  'vmprof-0.6.0/mixed.prof', // version 7 (0.6.0 timestamps), native
  'vmprof-0.6.0/lines_memory.prof', // lines + memory: paired entries, rss
  'vmprof-0.6.0/threads.prof', // several threads
  'generated/threads.prof', // version 6
  'third-party/example.prof' // Windows 64-bit: 4-byte words
];
const OFFSETS_PER_FILE = 60;

interface IOutcome {
  records: IVmprofRecords | null;
  error: VmprofFormatError | null;
}

function read(bytes: Uint8Array): IOutcome {
  try {
    return { records: readVmprofRecords(bytes), error: null };
  } catch (e) {
    if (!(e instanceof VmprofFormatError)) {
      throw e; // anything else is a bug in the reader
    }
    return { records: null, error: e };
  }
}

/** Offsets spread over the records after the header, the same on every run. */
function offsets(full: IVmprofRecords, length: number): number[] {
  const first = full.sampleOffset[0];
  const out: number[] = [];
  for (let k = 0; k < OFFSETS_PER_FILE; k++) {
    out.push(first + Math.floor(((length - first - 30) * (k + 0.5)) / OFFSETS_PER_FILE));
  }
  return out;
}

/** Samples whose record lies wholly before byte `at` (their successor starts at or before it). */
function samplesBefore(full: IVmprofRecords, at: number): number {
  let n = 0;
  while (n + 1 < full.sampleCount && full.sampleOffset[n + 1] <= at) {
    n++;
  }
  return n;
}

function check(file: string, full: IVmprofRecords, damaged: Uint8Array, at: number, what: string, shifted: boolean): void {
  const got = read(damaged);
  const where = `${file}, ${what} at byte ${at}`;
  const before = samplesBefore(full, at);
  if (got.records === null) {
    // Refusing is allowed only when there was nothing to keep.
    expect({ where, before }).toEqual({ where, before: 0 });
    return;
  }
  const r = got.records;
  // Every sample before the damage is kept, exactly.
  expect({ where, kept: r.sampleCount >= before }).toEqual({ where, kept: true });
  for (let i = 0; i < before; i++) {
    if (r.sampleOffset[i] !== full.sampleOffset[i] || r.sampleThread[i] !== full.sampleThread[i]) {
      throw new Error(`${where}: sample ${i} changed`);
    }
  }
  // No phantom thread: every thread is one of the file's. A changed byte inside a thread
  // id that still reads as one cannot be told from a real thread: at most one sample then.
  const phantom = r.threads.filter(t => !full.threads.includes(t));
  const phantomSamples = phantom.map(t => r.sampleThread.filter(i => r.threads[i] === t).length);
  if (shifted) {
    expect({ where, phantom }).toEqual({ where, phantom: [] });
  } else {
    expect({ where, phantomSamples: phantomSamples.every(n => n === 1) && phantom.length <= 1 }).toEqual({
      where, phantomSamples: true
    });
  }
  // Most of the file is still read (one damaged spot costs a few samples at most).
  expect({ where, most: r.sampleCount >= full.sampleCount * 0.9 }).toEqual({ where, most: true });
  if (r.damage !== null) {
    // Reported where the damage starts: at the record holding the changed byte, or the
    // first record boundary after it (a changed time stamp shows only there), not where reading gave up.
    const start = r.damage.firstOffset;
    expect({ where, start: Math.abs(start - at) <= 9000 }).toEqual({ where, start: true });
    expect(r.warnings.join('\n')).toMatch(new RegExp(`damaged at byte ${start}\\b`));
  }
}

describe('damaged files keep every readable sample', () => {
  for (const file of FILES) {
    const bytes = bytesOf(file);
    const full = readVmprofRecords(bytes);

    test(`${file}: a flipped byte`, () => {
      for (const at of offsets(full, bytes.length)) {
        const damaged = bytes.slice();
        damaged[at] ^= 0xff;
        check(file, full, damaged, at, 'flipped byte', false);
      }
    });

    test(`${file}: a stray zero byte inserted`, () => {
      for (const at of offsets(full, bytes.length)) {
        const damaged = new Uint8Array(bytes.length + 1);
        damaged.set(bytes.subarray(0, at));
        damaged.set(bytes.subarray(at), at + 1);
        check(file, full, damaged, at, 'inserted zero', true);
      }
    });

    test(`${file}: 64 bytes overwritten with garbage`, () => {
      let seed = 12345;
      for (const at of offsets(full, bytes.length)) {
        const damaged = bytes.slice();
        for (let i = at; i < Math.min(at + 64, damaged.length); i++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          damaged[i] = seed >>> 16;
        }
        check(file, full, damaged, at, 'garbage', false);
      }
    });
  }
});

describe('damage on hand-made files', () => {
  const A = 0x7f0000001000n;
  const T1 = 0x1000n;

  function fileWith(middle: (w: VmprofWriter) => void): Uint8Array {
    const w = new VmprofWriter().header().startTime(1000);
    for (let i = 0; i < 5; i++) {
      w.sample({ stack: [A], thread: T1 });
    }
    middle(w);
    for (let i = 0; i < 5; i++) {
      w.sample({ stack: [A], thread: T1 });
    }
    return w.name(A, 'py:f:1:a.py').trailer(1001).bytes();
  }

  test('a stray zero byte between records: skipped, reported, nothing else lost', () => {
    const bytes = fileWith(w => w.u8(0));
    const r = readVmprofRecords(bytes);
    expect(r.sampleCount).toBe(10);
    expect(r.threads).toEqual([String(T1)]);
    expect(r.damage).toEqual({ firstOffset: 5 * 8 * 0 + r.sampleOffset[5] - 1, regions: 1, bytes: 1, samplesLost: 0 });
    expect(r.endTime).toBe(1001);
  });

  test('an over-long name length: the records after it are still read', () => {
    const bytes = fileWith(w => w.u8(0x02).addr(A).word(2 ** 40));
    const r = readVmprofRecords(bytes);
    expect(r.sampleCount).toBe(10);
    expect(r.damage?.regions).toBe(1);
    expect(readVmprof(bytes).frames.map(f => f.name)).toEqual(['f']);
  });

  test('a sample whose depth was cut down reads no phantom thread', () => {
    // depth says 1 where 3 entries follow: the second entry is read as a thread id.
    const bytes = fileWith(w => w.u8(0x01).word(1).word(1).addr(A).addr(0x7f00deadbee0n).addr(A).addr(T1));
    const r = readVmprofRecords(bytes);
    expect(r.threads).toEqual([String(T1)]);
    expect(r.sampleCount).toBe(10);
  });

  test('damage before any sample and nothing readable after it: a clear error', () => {
    const bytes = new VmprofWriter().header().u8(0x42).raw(new Uint8Array(100).fill(0x42)).bytes();
    expect(() => readVmprofRecords(bytes)).toThrow(/no sample could be read: damaged at byte \d+/);
  });

  test('thousands of damaged spots make a bounded number of warnings', () => {
    const w = new VmprofWriter().header();
    for (let i = 0; i < 3000; i++) {
      w.sample({ stack: [A], thread: T1 });
      if (i % 10 === 9) {
        w.u8(0);
      }
    }
    const r = readVmprofRecords(w.trailer(0).bytes());
    expect(r.sampleCount).toBe(3000);
    expect(r.damage?.regions).toBe(300);
    expect(r.warnings.length).toBeLessThanOrEqual(5);
    expect(r.warnings.join('\n')).toMatch(/in all, 300 damaged region/);
  });
});

describe('version 7 layout, decided by more than the first sample', () => {
  test('a 0.6.0 file whose first sample is damaged is still read with 0.6.0 timestamps', () => {
    const bytes = bytesOf('vmprof-0.6.0/mixed.prof').slice();
    const full = readVmprofRecords(bytes);
    const first = full.sampleOffset[0];
    bytes[first + 1] = 0x55; // the count word of the first sample is no longer 1
    const r = readVmprofRecords(bytes);
    expect(r.layout).toBe('count-time');
    expect(r.sampleCount).toBe(full.sampleCount - 1);
    expect(r.damage?.firstOffset).toBe(first);
    expect(Array.from(r.sampleTime!.subarray(0, 5))).toEqual(Array.from(full.sampleTime!.subarray(1, 6)));
  });
});
