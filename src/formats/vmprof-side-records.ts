/**
 * The vmprof records read beside the samples: meta strings, the start and end
 * times, and native symbol names (for the record reader, vmprof-records.ts).
 *
 * Format: vmprof-python's writer (src/vmprof_common.c, src/_vmprof.c) and reader
 * (vmprof/reader.py); our notes: docs/vmprof-format.md.
 * https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 */

import { ByteCursor } from './vmprof-bytes';
import { AddrKey, BIRTHS_META_KEY, NameTable } from './vmprof-names';

/** Repeated meta keys named one by one in the warnings; repeats of any others are only counted. */
const NAMED_REPEATS = 5;

/** The meta records: the first value of each key, and repeated keys counted rather than warned of one by one. */
export class MetaRecords {
  private repeats = new Map<string, { first: number; count: number }>();
  private otherRepeats = 0;

  constructor(
    private readonly meta: Map<string, string>,
    private readonly pythonNames: NameTable,
    private readonly warnings: string[]
  ) {}

  /** Reads the meta record whose marker was at `start` (the cursor is just after it). */
  read(cur: ByteCursor, start: number): void {
    const key = cur.string();
    const value = cur.string();
    if (key === BIRTHS_META_KEY) {
      const problem = this.pythonNames.addBirths(value);
      if (problem !== null) {
        this.warnings.push(problem);
      }
    }
    if (this.meta.has(key)) {
      // Counted, not one warning each: a file of repeated keys must not make a warning per record.
      const seen = this.repeats.get(key);
      if (seen !== undefined) {
        seen.count++;
      } else if (this.repeats.size < NAMED_REPEATS) {
        this.repeats.set(key, { first: start, count: 1 });
      } else {
        this.otherRepeats++;
      }
      return;
    }
    this.meta.set(key, value);
  }

  /** The warnings about repeated keys, once the records are read. */
  repeatWarnings(): string[] {
    const out: string[] = [];
    this.repeats.forEach(({ first, count }, key) =>
      out.push(`meta key "${key}" repeated ${count} time(s), first at byte ${first}; the first value was kept`)
    );
    if (this.otherRepeats > 0) {
      out.push(`${this.otherRepeats} more repeated meta records of other keys were ignored`);
    }
    return out;
  }
}

/** A start or end time record's time, in seconds since the epoch. */
export function readTime(cur: ByteCursor): number {
  cur.need(24, 'time');
  const sec = cur.i64Number();
  const usec = cur.i64Number();
  cur.pos += 8; // time zone: always zero bytes
  return sec + usec / 1e6;
}

/** Reads a native symbol record into `names` (id to name). */
export function readNativeName(cur: ByteCursor, names: Map<AddrKey, string>): void {
  const id = cur.addrKey();
  const name = cur.string();
  // Native code is not freed while profiling, so two names for one id are two
  // lookups of one function: keeping the greatest makes the result independent
  // of record order (vmprof's reader sorts (id, name) pairs, last wins).
  const old = names.get(id);
  if (old === undefined || name > old) {
    names.set(id, name);
  }
}
