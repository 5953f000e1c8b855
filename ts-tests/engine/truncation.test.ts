/**
 * Files cut short (a crashed process): at every cut offset the reader
 * either returns every complete sample before the cut, with a warning,
 * or (cut inside the header) throws our typed error; nothing else.
 */
import { VmprofFormatError, readVmprof } from '../../src/formats/vmprof';
import { readVmprofRecords } from '../../src/formats/vmprof-records';
import { allProfiles, bytesOf } from './helpers';

/** End offsets of the first sample records: the smallest prefixes holding k complete samples. */
function sampleEnds(bytes: Uint8Array): number[] {
  const ends: number[] = [];
  const full = readVmprofRecords(bytes);
  let lo = 0;
  for (let k = 1; k <= full.sampleCount; k++) {
    // Binary search the smallest prefix holding k complete samples.
    let a = lo;
    let b = bytes.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (countAt(bytes, mid) >= k) {
        b = mid;
      } else {
        a = mid + 1;
      }
    }
    ends.push(a);
    lo = a;
    if (k >= 15) {
      break; // the first samples are enough to check the rule
    }
  }
  return ends;
}

function countAt(bytes: Uint8Array, cut: number): number {
  try {
    return readVmprofRecords(bytes.subarray(0, cut)).sampleCount;
  } catch {
    return 0;
  }
}

describe('truncated files', () => {
  for (const file of allProfiles()) {
    test(file, () => {
      const bytes = bytesOf(file);
      const total = readVmprof(bytes).sampleStack.length;
      const step = Math.max(1, Math.floor(bytes.length / 150));
      let previous = 0;
      for (let cut = 0; cut < bytes.length; cut += cut < 700 ? 1 : step) {
        let samples: number;
        try {
          const p = readVmprof(bytes.subarray(0, cut));
          samples = p.sampleStack.length;
          expect(p.info.warnings.some(w => /not closed properly/.test(w))).toBe(true);
        } catch (e) {
          if (!(e instanceof VmprofFormatError)) {
            throw e;
          }
          expect(e.code).toBe('truncated');
          samples = 0;
        }
        // Monotonic: a longer prefix never holds fewer samples.
        expect(samples).toBeGreaterThanOrEqual(previous);
        expect(samples).toBeLessThanOrEqual(total);
        previous = samples;
      }
    });
  }

  test('a cut keeps exactly the complete samples, with the same stacks', () => {
    const bytes = bytesOf('vmprof-0.6.0/mixed.prof');
    const full = readVmprofRecords(bytes);
    const ends = sampleEnds(bytes);
    for (let k = 1; k < ends.length; k++) {
      // One byte short of the k-th sample's end: k-1 samples; at its end: k.
      expect(readVmprofRecords(bytes.subarray(0, ends[k - 1] - 1)).sampleCount).toBe(k - 1);
      const cut = readVmprofRecords(bytes.subarray(0, ends[k - 1]));
      expect(cut.sampleCount).toBe(k);
      for (let i = 0; i < k; i++) {
        const a = full.sampleStack[i];
        const b = cut.sampleStack[i];
        expect(cut.stackOffset[b]).toBe(full.stackOffset[a]);
        expect(cut.sampleTime![i]).toBe(full.sampleTime![i]);
      }
    }
  });

  test('the warning says what was lost', () => {
    const bytes = bytesOf('vmprof-0.6.0/mixed.prof');
    const p = readVmprof(bytes.subarray(0, 5000));
    expect(p.info.warnings[0]).toMatch(/cut short at byte 5000, inside a stack sample record/);
    expect(p.info.warnings[0]).toMatch(/complete samples before that point were kept/);
  });
});

describe('corrupted files (random byte flips)', () => {
  /** Small deterministic PRNG (mulberry32), so failures reproduce. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  for (const file of allProfiles()) {
    test(file, () => {
      const original = bytesOf(file);
      const rand = random(file.length);
      for (let round = 0; round < 30; round++) {
        const bytes = original.slice();
        for (let k = 0; k < 1 + round % 8; k++) {
          bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        }
        try {
          const p = readVmprof(bytes);
          expect(p.sampleStack.length).toBeLessThanOrEqual(bytes.length);
        } catch (e) {
          if (!(e instanceof VmprofFormatError)) {
            throw e;
          }
        }
      }
    });
  }
});
