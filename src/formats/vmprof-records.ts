/**
 * Low-level reader of the vmprof raw profile format (records, not meaning).
 *
 * Format: vmprof-python's writer (src/vmprof_common.c, src/_vmprof.c) and reader
 * (vmprof/reader.py); our notes: docs/vmprof-format.md.
 * https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 *
 * This file turns bytes into: the header, the meta strings, the start/end
 * times, the name records, and the samples, where each sample points at a
 * *distinct raw stack* (a byte range of the file, interned by content). What
 * the stack entries mean is decided later (vmprof.ts), once for each distinct
 * stack rather than once per sample: that is what makes the reader fast.
 */

import { GrowableFloat64, GrowableInt32 } from '../model/growable';
import { ByteCursor, VmprofFormatError } from './vmprof-bytes';
import { StackInterner } from './stack-interner';
import { DamageLog } from './vmprof-damage';
import { allZero, readStaticHeader, recordName } from './vmprof-header';
import {
  IProbeContext, countSampleStarts, detectSampleLayout, findResumePoint, isPlausibleThread, isRealTrailer
} from './vmprof-resync';
import { AddrKey, BIRTHS_META_KEY, NameTable } from './vmprof-names';
import {
  IVmprofRecords, MARKER_HEADER, MARKER_INTERP_NAME, MARKER_META, MARKER_NATIVE_SYMBOLS, MARKER_STACKTRACE,
  MARKER_TIME_N_ZONE, MARKER_TRAILER, MARKER_VIRTUAL_IP, MAX_DEPTH, VERSION_DURATION, VERSION_MEMORY,
  VERSION_MODE_AWARE, VERSION_SAMPLE_TIME, VERSION_THREAD_ID
} from './vmprof-layout';

export { MAX_DEPTH, VERSION_SAMPLE_TIME } from './vmprof-layout';
export type { IVmprofMode, IVmprofRecords, SampleLayout } from './vmprof-layout';

export { VmprofFormatError } from './vmprof-bytes';
export type { VmprofErrorCode } from './vmprof-bytes';

export type { AddrKey } from './vmprof-names';

export function readVmprofRecords(bytes: Uint8Array): IVmprofRecords {
  return new RecordReader(bytes).read();
}

class RecordReader {
  private cur: ByteCursor;
  private out: IVmprofRecords;
  private sawHeader = false;
  private stacks = new StackInterner();
  private samples = new GrowableInt32();
  private sampleThreads = new GrowableInt32();
  private rss = new GrowableFloat64();
  private times = new GrowableFloat64();
  private offsets = new GrowableFloat64();
  private threadIndex = new Map<AddrKey, number>();
  private lastThreadKey: AddrKey | null = null;
  private lastThread = -1;
  private damage = new DamageLog();
  private threadWasNew = false;
  private metaRepeats = new Map<string, { first: number; count: number }>();
  private otherRepeats = 0;
  /** The last sample read, and the samples that may be garbage read as samples (see noteSuspect). */
  private suspects: Array<{ sample: number; start: number; region: number }> = [];
  private lastSample = { start: -1, end: -1, stack: -1, newThread: false, threadKey: null as AddrKey | null };

  constructor(bytes: Uint8Array) {
    this.cur = new ByteCursor(bytes);
    this.out = {
      wordSize: 8, addrSize: 8, periodMicros: 0, version: 0,
      mode: { memory: false, lines: false, native: false, rpython: false, realTime: false },
      interpreter: '', meta: new Map(), startTime: null, endTime: null, layout: 'plain',
      pythonNames: new NameTable(), nativeNames: new Map(),
      stackOffset: new Float64Array(0), stackDepth: new Int32Array(0), stackCount: 0,
      sampleStack: new Int32Array(0), sampleThread: new Int32Array(0),
      sampleRss: null, sampleTime: null, sampleOffset: new Float64Array(0), sampleCount: 0, damage: null, threads: [], warnings: [], bytes
    };
  }

  read(): IVmprofRecords {
    this.readStaticHeader();
    this.readRecords();
    return this.finish();
  }

  private readStaticHeader(): void {
    this.out.periodMicros = readStaticHeader(this.cur);
    this.out.wordSize = this.cur.wordSize;
    this.out.addrSize = this.cur.addrSize;
  }

  private readRecords(): void {
    const c = this.cur;
    for (;;) {
      if (c.pos >= c.end) {
        this.warnNoTrailer(`the file ends at byte ${c.pos} without a trailer`);
        return;
      }
      const start = c.pos;
      const marker = c.bytes[c.pos++];
      try {
        if (marker === MARKER_STACKTRACE) {
          this.readSample(start);
        } else if (marker === MARKER_VIRTUAL_IP) {
          this.out.pythonNames.add(this.cur.addrKey(), this.cur.string(), start);
        } else if (marker === MARKER_NATIVE_SYMBOLS) {
          this.readNativeName();
        } else if (marker === MARKER_META) {
          this.readMeta(start);
        } else if (marker === MARKER_TIME_N_ZONE) {
          if (this.out.startTime !== null) {
            throw new VmprofFormatError('corrupt', 'a second start time record', start);
          }
          this.out.startTime = this.readTime();
        } else if (marker === MARKER_HEADER) {
          this.readHeader(start);
        } else if (marker === MARKER_INTERP_NAME) {
          this.readLegacyInterpreter(start);
        } else if (marker === MARKER_TRAILER) {
          if (!isRealTrailer(this.probeContext(), start)) {
            throw new VmprofFormatError('corrupt', 'a trailer record that is not one (records follow it)', start);
          }
          if (this.out.version >= VERSION_DURATION) {
            this.out.endTime = this.readTime();
          }
          return; // anything after the trailer (legacy files: a maps dump) is not ours
        } else if (marker === 0 && allZero(c.bytes, start, c.end)) {
          this.warnNoTrailer(`the file ends in ${c.end - start} zero bytes at byte ${start}, without a trailer`);
          return;
        } else {
          const what = marker === 0 ? 'a 0x00 byte where a record should start' : `unknown record marker 0x${marker.toString(16)}`;
          throw new VmprofFormatError('corrupt', what, start);
        }
      } catch (err) {
        // Anything but our own error is a bug here, not bad data: let it through as such.
        if (!(err instanceof VmprofFormatError) || !this.sawHeader || err.code === 'version') {
          throw err;
        }
        if (!this.recover(start, marker, err)) {
          return;
        }
      }
    }
  }

  /**
   * After a record that cannot be read: resume at the next recognisable record
   * (true), or end the reading as a file cut short or damaged to its end (false).
   */
  private recover(start: number, marker: number, err: VmprofFormatError): boolean {
    const c = this.cur;
    // The sample just read may be damage read as one (a changed depth makes it swallow
    // the records after it): if records pass inside it, it goes and reading resumes there.
    const last = this.lastSample;
    const inside = last.end === start ? findResumePoint(this.probeContext(), last.start + 1, start) : null;
    if (inside !== null) {
      this.undoLastSample();
      this.damage.add(last.start, inside, `${err.message}, after a sample that holds records`, 1);
      c.pos = inside;
      return true;
    }
    const resume = findResumePoint(this.probeContext(), start + 1);
    if (resume === null && err.code === 'truncated') {
      this.warnNoTrailer(
        `the file is cut short at byte ${c.end}, inside a ${recordName(marker)} record that starts at byte ${start}; ` +
          'that record was dropped'
      );
      return false;
    }
    const to = resume ?? c.end;
    const lost = countSampleStarts(this.probeContext(), start, to);
    this.noteSuspect(start, this.damage.add(start, to, err.message, lost));
    if (resume === null) {
      this.warnNoTrailer(`nothing readable follows the damage at byte ${start}`);
      return false;
    }
    c.pos = resume;
    return true;
  }

  /**
   * A sample read just before an unreadable record, that put a thread never
   * seen before, may be the first bytes of the damage read as a sample (a
   * stray byte shifts everything after it). Whether it is becomes clear at the
   * end: if its thread has no other sample, it is dropped with its thread
   * (dropPhantoms) rather than kept as a phantom thread.
   */
  private noteSuspect(start: number, region: number): void {
    const last = this.lastSample;
    if (last.end === start && last.newThread) {
      this.suspects.push({ sample: this.samples.length - 1, start: last.start, region });
    }
  }

  private undoLastSample(): void {
    const last = this.lastSample;
    const kept = this.samples.length - 1;
    for (const arr of [this.samples, this.sampleThreads, this.offsets, this.times, this.rss]) {
      arr.length = Math.min(arr.length, kept);
    }
    if (last.newThread) {
      this.out.threads.pop();
      this.threadIndex.delete(last.threadKey!);
    }
    this.lastThreadKey = null;
    this.lastThread = -1;
    this.suspects = this.suspects.filter(s => s.sample < this.samples.length);
    this.lastSample = { start: -1, end: -1, stack: -1, newThread: false, threadKey: null };
  }

  private dropPhantoms(): void {
    const perThread = new Int32Array(this.out.threads.length);
    for (let i = 0; i < this.sampleThreads.length; i++) {
      perThread[this.sampleThreads.data[i]]++;
    }
    const drop = this.suspects.filter(s => perThread[this.sampleThreads.data[s.sample]] === 1);
    if (drop.length === 0) {
      return;
    }
    const gone = new Set(drop.map(s => s.sample));
    const goneThreads = new Set(drop.map(s => this.sampleThreads.data[s.sample]));
    const newIndex = new Int32Array(this.out.threads.length);
    let t = 0;
    this.out.threads = this.out.threads.filter((_, i) => {
      newIndex[i] = t;
      return goneThreads.has(i) ? false : (t++, true);
    });
    const keepsTime = this.times.length > 0;
    const keepsRss = this.rss.length > 0;
    let k = 0;
    for (let i = 0; i < this.samples.length; i++) {
      if (gone.has(i)) {
        continue;
      }
      this.samples.data[k] = this.samples.data[i];
      this.sampleThreads.data[k] = newIndex[this.sampleThreads.data[i]];
      this.offsets.data[k] = this.offsets.data[i];
      if (keepsTime) {
        this.times.data[k] = this.times.data[i];
      }
      if (keepsRss) {
        this.rss.data[k] = this.rss.data[i];
      }
      k++;
    }
    for (const arr of [this.samples, this.sampleThreads, this.offsets, this.times, this.rss]) {
      arr.length = Math.min(arr.length, k);
    }
    for (const s of drop) {
      this.damage.moveStart(s.region, s.start, 1);
    }
  }

  private probeContext(): IProbeContext {
    const { out, cur } = this;
    return {
      bytes: cur.bytes, view: cur.view, wordSize: cur.wordSize, addrSize: cur.addrSize, version: out.version,
      mode: out.mode, layout: out.version >= VERSION_SAMPLE_TIME && out.layout === 'plain' ? 'count-time' : out.layout,
      threads: this.threadIndex
    };
  }

  private warnNoTrailer(what: string): void {
    if (!this.sawHeader) {
      throw new VmprofFormatError('truncated', `${what}, before the profile header`, this.cur.pos);
    }
    this.out.warnings.push(
      `${what}: the profile was not closed properly (crashed or still running); ` +
        `the ${this.samples.length} complete samples before that point were kept and its duration is unknown`
    );
  }

  private readHeader(start: number): void {
    const c = this.cur;
    if (this.sawHeader) {
      throw new VmprofFormatError('corrupt', 'a second header record', start);
    }
    c.need(2, 'header');
    const version = (c.bytes[c.pos] << 8) | c.bytes[c.pos + 1]; // big-endian u16
    c.pos += 2;
    if (version > VERSION_SAMPLE_TIME) {
      throw new VmprofFormatError('version', `profile format version ${version} is newer than supported (${VERSION_SAMPLE_TIME})`, start + 1);
    }
    const mode = this.out.mode;
    if (version >= VERSION_MODE_AWARE) {
      c.need(1, 'header');
      const flags = c.bytes[c.pos++];
      mode.memory = (flags & 0x01) !== 0;
      mode.lines = (flags & 0x02) !== 0;
      mode.native = (flags & 0x04) !== 0;
      mode.rpython = (flags & 0x08) !== 0;
      mode.realTime = (flags & 0x10) !== 0;
    } else {
      mode.memory = version === VERSION_MEMORY;
    }
    this.out.version = version;
    this.readInterpreterName();
    this.sawHeader = true;
  }

  /** Pre-0.4 files: 0x04 + name, and no version (so no thread ids). */
  private readLegacyInterpreter(start: number): void {
    if (this.sawHeader) {
      throw new VmprofFormatError('corrupt', 'a second header record', start);
    }
    this.readInterpreterName();
    this.sawHeader = true;
  }

  private readInterpreterName(): void {
    const c = this.cur;
    c.need(1, 'header');
    const len = c.bytes[c.pos++];
    this.out.interpreter = c.utf8(len);
    if (this.out.interpreter === 'pypy') {
      this.out.mode.rpython = true;
    }
  }

  private readMeta(start: number): void {
    const key = this.cur.string();
    const value = this.cur.string();
    if (key === BIRTHS_META_KEY) {
      const problem = this.out.pythonNames.addBirths(value);
      if (problem !== null) {
        this.out.warnings.push(problem);
      }
    }
    if (this.out.meta.has(key)) {
      // Counted, not one warning each: a file of repeated keys must not make a warning per record.
      const seen = this.metaRepeats.get(key);
      if (seen !== undefined) {
        seen.count++;
      } else if (this.metaRepeats.size < 5) {
        this.metaRepeats.set(key, { first: start, count: 1 });
      } else {
        this.otherRepeats++;
      }
      return;
    }
    this.out.meta.set(key, value);
  }

  private readTime(): number {
    const c = this.cur;
    c.need(24, 'time');
    const sec = c.i64Number();
    const usec = c.i64Number();
    c.pos += 8; // time zone: always zero bytes
    return sec + usec / 1e6;
  }

  private readNativeName(): void {
    const names = this.out.nativeNames;
    const id = this.cur.addrKey();
    const name = this.cur.string();
    // Native code is not freed while profiling, so two names for one id are two
    // lookups of one function: keeping the greatest makes the result independent
    // of record order (vmprof's reader sorts (id, name) pairs, last wins).
    const old = names.get(id);
    if (old === undefined || name > old) {
      names.set(id, name);
    }
  }

  private readSample(start: number): void {
    const c = this.cur;
    if (!this.sawHeader) {
      throw new VmprofFormatError('corrupt', 'a stack sample before the profile header', start);
    }
    const out = this.out;
    let time = NaN;
    if (out.version >= VERSION_SAMPLE_TIME) {
      this.detectLayout(start);
    }
    if (out.layout === 'double-time') {
      c.need(8, 'sample');
      time = c.f64();
    } else {
      c.need(c.wordSize, 'sample');
      const count = c.word();
      if (count !== 1) {
        throw new VmprofFormatError('corrupt', `stack sample with count ${count} (expected 1)`, start);
      }
    }
    c.need(c.wordSize, 'sample');
    const depth = c.word();
    if (depth < 0 || depth > MAX_DEPTH) {
      throw new VmprofFormatError('corrupt', `stack depth ${depth} out of range`, start);
    }
    if ((out.mode.rpython || out.mode.lines) && (depth & 1) !== 0) {
      throw new VmprofFormatError('corrupt', `odd stack depth ${depth} in a paired-entry profile`, start);
    }
    const stackBytes = depth * c.addrSize;
    c.need(stackBytes, 'sample');
    const stackStart = c.pos;
    c.pos += stackBytes;
    const thread = out.version >= VERSION_THREAD_ID ? this.readThread() : this.threadFor(0);
    let rss = 0;
    if (out.mode.memory) {
      c.need(c.addrSize, 'sample');
      rss = c.addrNumber();
    }
    if (out.layout === 'count-time') {
      c.need(8, 'sample');
      time = c.i64Number() / 1e9;
    }
    // Only a complete sample is recorded, so a cut file keeps exactly the samples before the cut.
    const stack = this.stacks.intern(c.view, stackStart, stackBytes, depth);
    this.lastSample = { start, end: c.pos, stack, newThread: this.threadWasNew, threadKey: this.lastThreadKey };
    this.samples.push(stack);
    this.sampleThreads.push(thread);
    this.offsets.push(start);
    if (out.mode.memory) {
      this.rss.push(rss);
    }
    if (out.layout !== 'plain') {
      this.times.push(time);
    }
  }

  private detectLayout(start: number): void {
    const out = this.out;
    if (out.layout !== 'plain') {
      return;
    }
    out.layout = detectSampleLayout(this.probeContext(), start);
    if (out.layout === 'double-time' && !out.meta.has('start_time_offset')) {
      out.warnings.push(
        `version 7 sample at byte ${start} has no count word; read as the fork's layout with a timestamp in its place`
      );
    }
  }

  private readThread(): number {
    const c = this.cur;
    c.need(c.addrSize, 'sample');
    return this.threadFor(c.addrKey());
  }

  private threadFor(key: AddrKey): number {
    this.threadWasNew = false;
    if (key === this.lastThreadKey) {
      return this.lastThread;
    }
    let index = this.threadIndex.get(key);
    if (index === undefined) {
      if (!isPlausibleThread(key)) {
        throw new VmprofFormatError('corrupt', `thread id ${key} cannot be one`, this.cur.pos - this.cur.addrSize);
      }
      this.threadWasNew = true;
      index = this.out.threads.length;
      this.threadIndex.set(key, index);
      this.out.threads.push(String(key));
    }
    this.lastThreadKey = key;
    this.lastThread = index;
    return index;
  }

  private finish(): IVmprofRecords {
    const out = this.out;
    this.dropPhantoms();
    out.stackOffset = this.stacks.offsets.toArray();
    out.stackDepth = this.stacks.depths.toArray();
    out.stackCount = this.stacks.depths.length;
    out.sampleStack = this.samples.toArray();
    out.sampleThread = this.sampleThreads.toArray();
    out.sampleCount = this.samples.length;
    out.sampleOffset = this.offsets.toArray();
    out.damage = this.damage.summary();
    if (out.damage !== null && out.sampleCount === 0) {
      // Nothing salvaged: the file is unreadable, and saying so is clearer than an empty profile.
      throw new VmprofFormatError('corrupt', `no sample could be read: ${this.damage.firstReason()}`, out.damage.firstOffset);
    }
    out.warnings.push(...this.damage.warnings());
    this.metaRepeats.forEach(({ first, count }, key) =>
      out.warnings.push(`meta key "${key}" repeated ${count} time(s), first at byte ${first}; the first value was kept`)
    );
    if (this.otherRepeats > 0) {
      out.warnings.push(`${this.otherRepeats} more repeated meta records of other keys were ignored`);
    }
    out.sampleRss = out.mode.memory ? this.rss.toArray() : null;
    out.sampleTime = out.layout !== 'plain' ? this.times.toArray() : null;
    return out;
  }
}
