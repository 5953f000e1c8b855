/**
 * The samples read from a vmprof file so far, with their threads: kept in
 * growable arrays, and taken back when damage read as a sample is found out
 * (see vmprof-records.ts, "recover").
 *
 * Format: https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 */

import { GrowableFloat64, GrowableInt32 } from '../model/growable';
import { AddrKey } from './vmprof-names';

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

  /** Makes room for `count` samples in all, so that pushing them copies nothing. */
  reserve(count: number): void {
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
