/**
 * The reader's fast path for runs of ordinary samples (src/formats/vmprof-sample-run.ts):
 * each sample gets the stack, thread, time and offset the file gives it, and a record
 * that breaks a run (another thread, a bad count or depth, the end of the file) is read
 * as the record reader reads it.
 */

import { readVmprofRecords } from '../../src/formats/vmprof-records';
import { ISampleSpec, VmprofWriter } from './vmprof-writer';

const CODE = BigInt('0x7f0000001000');
const HIGH = BigInt(2) ** BigInt(32);
const MAIN = BigInt('0x7f1234560000');
const WORKER = BigInt('0x7f1234570000');

function profile(samples: ISampleSpec[], flags = 0): { bytes: Uint8Array; offsets: number[] } {
  const w = new VmprofWriter(8, 8, 7, flags).header().startTime(1_700_000_000);
  const offsets = samples.map(s => {
    const at = w.offset;
    w.sample(s);
    return at;
  });
  w.name(CODE, 'py:f:1:/x.py').trailer(1_700_000_001);
  return { bytes: w.bytes(), offsets };
}

/** Stack indexes by first appearance of each stack's entries. */
function expectedStacks(samples: ISampleSpec[]): number[] {
  const seen = new Map<string, number>();
  return samples.map(s => {
    const key = s.stack.join(',');
    if (!seen.has(key)) {
      seen.set(key, seen.size);
    }
    return seen.get(key)!;
  });
}

describe('runs of ordinary samples', () => {
  it('give every sample its own stack, thread, time and offset across repeats, new stacks and thread changes', () => {
    const a = [CODE, CODE + BigInt(16)];
    const b = [CODE, CODE + BigInt(32)];
    // Differs from a only in a high word: the comparison with the sample before must tell them apart.
    const aHigh = [CODE, CODE + BigInt(16) + HIGH];
    const deep = [CODE + BigInt(48), ...a];
    const order: Array<[bigint[], bigint]> = [
      [a, MAIN],
      [a, MAIN],
      [aHigh, MAIN],
      [b, MAIN],
      [a, MAIN],
      [deep, MAIN],
      [b, WORKER],
      [b, WORKER],
      [a, MAIN],
      [a, WORKER],
      [deep, WORKER],
      [deep, WORKER]
    ];
    const samples = order.map(([stack, thread], i): ISampleSpec => ({
      stack,
      thread,
      time: 1_700_000_000e9 + i * 4_000_123
    }));
    const { bytes, offsets } = profile(samples);
    const r = readVmprofRecords(bytes);

    expect(r.damage).toBeNull();
    expect(r.sampleCount).toBe(12);
    expect(Array.from(r.sampleStack)).toEqual(expectedStacks(samples));
    expect(r.stackCount).toBe(4);
    expect(r.threads).toEqual([MAIN.toString(), WORKER.toString()]);
    expect(Array.from(r.sampleThread)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1]);
    expect(Array.from(r.sampleOffset)).toEqual(offsets);
    expect(Array.from(r.sampleTime!)).toEqual(samples.map(s => Math.round(s.time!) / 1e9));
  });

  it('leave a sample with a count of 2 in the middle of a run to the record reader, which reports the damage there', () => {
    const samples: ISampleSpec[] = Array.from({ length: 6 }, (_, i) => ({
      stack: [CODE + BigInt(16 * (i % 2))],
      thread: MAIN
    }));
    const { bytes, offsets } = profile(samples);
    // The count word of the fourth sample (after its marker byte) becomes 2.
    new DataView(bytes.buffer).setInt32(offsets[3] + 1, 2, true);
    const r = readVmprofRecords(bytes);

    expect(r.damage?.firstOffset).toBe(offsets[3]);
    expect(Array.from(r.sampleOffset.subarray(0, 3))).toEqual(offsets.slice(0, 3));
    expect(Array.from(r.sampleStack.subarray(0, 3))).toEqual([0, 1, 0]);
    expect(r.warnings.join('\n')).toContain('count 2');
  });

  it('leave an odd depth in a lines-mode run to the record reader', () => {
    const pair = [CODE, BigInt(-12)];
    const samples: ISampleSpec[] = [{ stack: pair }, { stack: pair }, { stack: [...pair, CODE] }, { stack: pair }];
    const { bytes, offsets } = profile(samples, 0x02);
    const r = readVmprofRecords(bytes);

    expect(r.damage?.firstOffset).toBe(offsets[2]);
    expect(r.warnings.join('\n')).toContain('odd stack depth 3');
    expect(Array.from(r.sampleStack.subarray(0, 2))).toEqual([0, 0]);
  });

  it('keep exactly the complete samples of a run cut short inside a sample', () => {
    const samples: ISampleSpec[] = Array.from({ length: 5 }, (_, i) => ({
      stack: [CODE, CODE + BigInt(16 * i)],
      thread: MAIN
    }));
    const { bytes, offsets } = profile(samples);
    const r = readVmprofRecords(bytes.subarray(0, offsets[4] + 20));

    expect(r.sampleCount).toBe(4);
    expect(Array.from(r.sampleStack)).toEqual([0, 1, 2, 3]);
    expect(r.warnings.join('\n')).toContain(`cut short at byte ${offsets[4] + 20}`);
  });

  it('take back the last sample of a run that swallowed the records after it, keeping its thread', () => {
    // MAIN, then WORKER's first sample and a run of two; the run's last sample gets a depth of 11,
    // which ends its stack on an entry equal to WORKER's id inside the next sample and leaves a 0x55
    // byte where the next record should start. Reading resumes at the records it swallowed.
    const w = new VmprofWriter(8, 8, 7).header().startTime(1_700_000_000);
    w.sample({ stack: [CODE], thread: MAIN }).sample({ stack: [CODE], thread: WORKER });
    w.sample({ stack: [CODE + BigInt(16)], thread: WORKER });
    const swallowing = w.offset;
    w.sample({ stack: [CODE + BigInt(32)], thread: WORKER });
    w.name(CODE, 'py:g:2:/yyy.py'); // 14 bytes of text: the next sample starts 72 bytes on, a multiple of 8
    w.sample({ stack: [CODE, CODE, WORKER, BigInt(5), BigInt(0x55), CODE], thread: MAIN });
    w.sample({ stack: [CODE], thread: MAIN }).sample({ stack: [CODE], thread: MAIN });
    const bytes = w.trailer(1_700_000_001).bytes();
    new DataView(bytes.buffer).setInt32(swallowing + 9, 11, true);
    const r = readVmprofRecords(bytes);

    expect(r.damage?.firstOffset).toBe(swallowing);
    expect(r.threads).toEqual([MAIN.toString(), WORKER.toString()]);
    expect(Array.from(r.sampleThread)).toEqual([0, 1, 1, 0, 0, 0]);
  });
});
