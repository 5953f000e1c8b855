/**
 * The samples read from a vmprof file so far, with their threads: kept in
 * growable arrays, and taken back when damage read as a sample is found out
 * (see vmprof-records.ts, "recover"). Their room is sized from the samples'
 * density in the file (makeRoom).
 *
 * Format: our notes, docs/vmprof-format.md;
 * https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 */

import { GrowableFloat64, GrowableInt32 } from '../model/growable';
import { AddrKey } from './vmprof-names';

/** Growth when the room runs out before the estimate says it should: small, so little is left unused at the end. */
const MIN_GROWTH = 9 / 8;
/** Samples an estimate may reserve beyond twice the room (8 M: 192 MB of sample arrays). */
const MAX_ESTIMATED_SAMPLES = 1 << 23;
/**
 * Room made at the first sample at most: as many as the reader's first run of samples may take
 * (vmprof-records.ts, RECORDS_PER_CHECK), so the fast path's first run is not cut short.
 */
const FIRST_ROOM = 1 << 12;

export class SampleTable {
  readonly stacks = new GrowableInt32();
  readonly threadOf = new GrowableInt32();
  readonly rss = new GrowableFloat64();
  readonly times = new GrowableFloat64();
  readonly offsets = new GrowableFloat64();
  /** Thread ids as decimal strings, in order of first appearance. */
  threads: string[] = [];
  /** Known thread ids (for the resync checks: a sample on a known thread is strong evidence). */
  readonly threadIndex = new Map<AddrKey, number>();
  /** Whether the last threadFor() call added a thread. */
  threadWasNew = false;
  private lastKey: AddrKey | null = null;
  private last = -1;

  get length(): number {
    return this.stacks.length;
  }

  /** The index of thread `key`, added if new (`accept` checks a new id first). */
  threadFor(key: AddrKey, accept: (key: AddrKey) => void): number {
    this.threadWasNew = false;
    if (key === this.lastKey) {
      return this.last;
    }
    let index = this.threadIndex.get(key);
    if (index === undefined) {
      accept(key);
      this.threadWasNew = true;
      index = this.threads.length;
      this.threadIndex.set(key, index);
      this.threads.push(String(key));
    }
    this.lastKey = key;
    this.last = index;
    return index;
  }

  /** The key of the thread of the last threadFor() call. */
  get lastThreadKey(): AddrKey | null {
    return this.lastKey;
  }

  push(stack: number, thread: number, offset: number, rss: number | null, time: number | null): void {
    this.stacks.push(stack);
    this.threadOf.push(thread);
    this.offsets.push(offset);
    if (rss !== null) {
      this.rss.push(rss);
    }
    if (time !== null) {
      this.times.push(time);
    }
  }

  /** Samples that can be pushed before the arrays must grow. */
  get room(): number {
    return this.stacks.data.length - this.length;
  }

  /**
   * Makes room for the sample at bytes `start` to `end` of a file of
   * `fileEnd` bytes, before it is pushed. Once the room is used up: room for
   * as many samples as the rest of the file holds at their density so far
   * (other records between them included, which the first sample's size
   * alone would not show), or 1/8 more if that is more. So a file whose
   * samples fill it evenly gets its arrays sized once, nearly exactly, and
   * they are handed over without a copy at the end (growable.ts).
   */
  makeRoom(start: number, end: number, fileEnd: number): void {
    if (this.length === 0) {
      this.reserve(Math.min(Math.ceil((fileEnd - start) / (end - start)), FIRST_ROOM));
      return;
    }
    if (this.room > 0) {
      return;
    }
    const capacity = this.stacks.data.length;
    const first = this.offsets.data[0];
    const estimate = Math.ceil((this.length * (fileEnd - first)) / (start - first));
    const capped = Math.min(estimate, Math.max(MAX_ESTIMATED_SAMPLES, 2 * capacity));
    this.reserve(Math.max(capacity + 1, Math.ceil(capacity * MIN_GROWTH), capped));
  }

  /** Makes room for `count` samples in all, so that pushing them copies nothing. */
  private reserve(count: number): void {
    for (const arr of [this.stacks, this.threadOf, this.offsets]) {
      arr.reserve(count);
    }
    // Times and memory are reserved once the first sample has shown it has them.
    for (const arr of [this.times, this.rss]) {
      if (arr.length > 0) {
        arr.reserve(count);
      }
    }
  }

  /** Takes the last sample back, and its thread with it if that sample added it. */
  undoLast(addedThread: AddrKey | null): void {
    this.truncate(this.length - 1);
    if (addedThread !== null) {
      this.threads.pop();
      this.threadIndex.delete(addedThread);
    }
    this.lastKey = null;
    this.last = -1;
  }

  /** Samples per thread. */
  perThread(): Int32Array {
    const out = new Int32Array(this.threads.length);
    for (let i = 0; i < this.threadOf.length; i++) {
      out[this.threadOf.data[i]]++;
    }
    return out;
  }

  /** Removes the samples `gone` and the threads `goneThreads` (thread indexes shift down). */
  remove(gone: Set<number>, goneThreads: Set<number>): void {
    const newIndex = new Int32Array(this.threads.length);
    let t = 0;
    this.threads = this.threads.filter((_, i) => {
      newIndex[i] = t;
      return goneThreads.has(i) ? false : (t++, true);
    });
    const keepsTime = this.times.length > 0;
    const keepsRss = this.rss.length > 0;
    let k = 0;
    for (let i = 0; i < this.length; i++) {
      if (gone.has(i)) {
        continue;
      }
      this.stacks.data[k] = this.stacks.data[i];
      this.threadOf.data[k] = newIndex[this.threadOf.data[i]];
      this.offsets.data[k] = this.offsets.data[i];
      if (keepsTime) {
        this.times.data[k] = this.times.data[i];
      }
      if (keepsRss) {
        this.rss.data[k] = this.rss.data[i];
      }
      k++;
    }
    this.truncate(k);
  }

  private truncate(count: number): void {
    for (const arr of [this.stacks, this.threadOf, this.offsets, this.times, this.rss]) {
      arr.length = Math.min(arr.length, count);
    }
  }
}
