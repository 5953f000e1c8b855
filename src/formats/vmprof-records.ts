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
 * The records beside the samples (meta, times, native symbols) are read by
 * vmprof-side-records.ts, the runs of ordinary samples by vmprof-sample-run.ts.
 */

import { ByteCursor, VmprofFormatError } from './vmprof-bytes';
import { StackInterner } from './stack-interner';
import { SampleRun } from './vmprof-sample-run';
import { checkMemoryBudget } from './vmprof-budget';
import { DamageLog } from './vmprof-damage';
import { SampleTable } from './vmprof-samples';
import { allZero, readHeaderRecord, readStaticHeader, recordName } from './vmprof-header';
import {
  IProbeContext, countSampleStarts, detectSampleLayout, findResumePoint, isPlausibleThread, isRealTrailer
} from './vmprof-resync';
import { AddrKey, NameTable } from './vmprof-names';
import { MetaRecords, readNativeName, readTime } from './vmprof-side-records';
import {
  IVmprofRecords, MARKER_HEADER, MARKER_INTERP_NAME, MARKER_META, MARKER_NATIVE_SYMBOLS, MARKER_STACKTRACE,
  MARKER_TIME_N_ZONE, MARKER_TRAILER, MARKER_VIRTUAL_IP, MAX_DEPTH, VERSION_DURATION, VERSION_SAMPLE_TIME,
  VERSION_THREAD_ID
} from './vmprof-layout';

export { MAX_DEPTH, VERSION_SAMPLE_TIME } from './vmprof-layout';
export type { IVmprofMode, IVmprofRecords, SampleLayout } from './vmprof-layout';

export { VmprofFormatError } from './vmprof-bytes';
export type { VmprofErrorCode } from './vmprof-bytes';

export type { AddrKey } from './vmprof-names';

/**
 * Records read between two memory checks (vmprof-budget.ts): few enough that a 1 MB file of a
 * thread per sample is refused after 4,096 of its 31,000 threads, not once they are all read.
 */
const RECORDS_PER_CHECK = 1 << 12;

export function readVmprofRecords(bytes: Uint8Array): IVmprofRecords {
  return new RecordReader(bytes).read();
}

class RecordReader {
  private cur: ByteCursor;
  private out: IVmprofRecords;
  private sawHeader = false;
  private stacks = new StackInterner();
  private samples = new SampleTable();
  private damage = new DamageLog();
  private records = 0;
  private metaRecords: MetaRecords;
  /** The last sample read, and the samples that may be garbage read as samples (see noteSuspect). */
  private suspects: Array<{ sample: number; start: number; region: number }> = [];
  private lastSample = { start: -1, end: -1, stack: -1, newThread: false, threadKey: null as AddrKey | null };
  /** The fast path for the samples after a sample, once the first sample has shown the layout (null: not this file's). */
  private run: SampleRun | null | undefined;

  constructor(bytes: Uint8Array) {
    this.cur = new ByteCursor(bytes);
    this.out = {
      wordSize: 8, addrSize: 8, periodMicros: 0, version: 0,
      mode: { memory: false, lines: false, native: false, rpython: false, realTime: false },
      interpreter: '', meta: new Map(), startTime: null, endTime: null, layout: 'plain',
      pythonNames: new NameTable(bytes), nativeNames: new Map(),
      stackOffset: new Float64Array(0), stackDepth: new Int32Array(0), stackCount: 0,
      sampleStack: new Int32Array(0), sampleThread: new Int32Array(0),
      sampleRss: null, sampleTime: null, sampleOffset: new Float64Array(0), sampleCount: 0, damage: null, threads: [], warnings: [], bytes
    };
    this.metaRecords = new MetaRecords(this.out.meta, this.out.pythonNames, this.out.warnings);
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
      if ((++this.records & (RECORDS_PER_CHECK - 1)) === 0) {
        checkMemoryBudget(c.end, {
          samples: this.samples.length, names: this.out.pythonNames.size, threads: this.samples.threads.length,
          nodes: 0, functions: 0
        });
      }
      try {
        if (marker === MARKER_STACKTRACE) {
          this.readSample(start);
          this.readSampleRun();
        } else if (marker === MARKER_VIRTUAL_IP) {
          const id = this.cur.addrKey();
          const text = this.cur.stringStart();
          this.out.pythonNames.addText(id, text, this.cur.pos - text, start);
        } else if (marker === MARKER_NATIVE_SYMBOLS) {
          readNativeName(c, this.out.nativeNames);
        } else if (marker === MARKER_META) {
          this.metaRecords.read(c, start);
        } else if (marker === MARKER_TIME_N_ZONE) {
          if (this.out.startTime !== null) {
            throw new VmprofFormatError('corrupt', 'a second start time record', start);
          }
          this.out.startTime = readTime(c);
        } else if (marker === MARKER_HEADER) {
          this.readHeader(start, false);
        } else if (marker === MARKER_INTERP_NAME) {
          this.readHeader(start, true);
        } else if (marker === MARKER_TRAILER) {
          if (!isRealTrailer(this.probeContext(), start)) {
            throw new VmprofFormatError('corrupt', 'a trailer record that is not one (records follow it)', start);
          }
          if (this.out.version >= VERSION_DURATION) {
            this.out.endTime = readTime(c);
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
    this.samples.undoLast(last.newThread ? last.threadKey : null);
    this.suspects = this.suspects.filter(x => x.sample < this.samples.length);
    this.lastSample = { start: -1, end: -1, stack: -1, newThread: false, threadKey: null };
  }

  private dropPhantoms(): void {
    if (this.suspects.length === 0) {
      return; // no pass over the samples to count them per thread
    }
    const perThread = this.samples.perThread();
    const threadOf = this.samples.threadOf.data;
    const drop = this.suspects.filter(x => perThread[threadOf[x.sample]] === 1);
    if (drop.length > 0) {
      this.samples.remove(new Set(drop.map(x => x.sample)), new Set(drop.map(x => threadOf[x.sample])));
      drop.forEach(x => this.damage.moveStart(x.region, x.start, 1));
    }
  }

  private probeContext(): IProbeContext {
    const { out, cur } = this;
    return {
      bytes: cur.bytes, view: cur.view, wordSize: cur.wordSize, addrSize: cur.addrSize, version: out.version,
      mode: out.mode, layout: out.version >= VERSION_SAMPLE_TIME && out.layout === 'plain' ? 'count-time' : out.layout,
      threads: this.samples.threadIndex
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

  private readHeader(start: number, legacy: boolean): void {
    if (this.sawHeader) {
      throw new VmprofFormatError('corrupt', 'a second header record', start);
    }
    readHeaderRecord(this.cur, this.out, start, legacy);
    this.sawHeader = true;
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
    const thread = out.version >= VERSION_THREAD_ID ? this.readThread() : this.threadFor(0, start);
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
    const t = this.samples;
    t.makeRoom(start, c.pos, c.end);
    const last = this.lastSample; // updated in place: no object per sample
    last.start = start;
    last.end = c.pos;
    last.stack = stack;
    last.newThread = t.threadWasNew;
    last.threadKey = t.lastThreadKey;
    t.push(stack, thread, start, out.mode.memory ? rss : null, out.layout !== 'plain' ? time : null);
  }

  /** The ordinary samples after the one just read, on the fast path (vmprof-sample-run.ts), if it takes this file's. */
  private readSampleRun(): void {
    const { out, cur } = this;
    if (this.run === undefined) {
      this.run = SampleRun.forFile(cur, out, this.stacks, this.samples);
    }
    const last = this.lastSample;
    if (this.run === null || last.end !== cur.pos) {
      return;
    }
    // As many as leave the next memory check (every RECORDS_PER_CHECK records) to the loop in readRecords,
    // and fit the sample arrays' room: the record reader grows them (makeRoom), the run only fills them.
    const limit = Math.min(RECORDS_PER_CHECK - 1 - (this.records & (RECORDS_PER_CHECK - 1)), this.samples.room);
    const end = this.run.read(cur.pos, limit, last.start, last.stack);
    if (end.taken === 0) {
      return;
    }
    this.records += end.taken;
    cur.pos = end.pos;
    last.start = end.lastStart;
    last.end = end.pos;
    last.stack = end.lastStack;
    last.newThread = false; // the run's samples are of the thread of the one before it (threadKey stays)
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
    return this.threadFor(c.addrKey(), c.pos - c.addrSize);
  }

  private threadFor(key: AddrKey, at: number): number {
    this.threadAt = at;
    return this.samples.threadFor(key, this.acceptThread);
  }

  /** Made once, not a closure per sample; `threadAt` is where the id was read. */
  private threadAt = 0;
  private readonly acceptThread = (id: AddrKey): void => {
    if (!isPlausibleThread(id)) {
      throw new VmprofFormatError('corrupt', `thread id ${id} cannot be one`, this.threadAt);
    }
  };

  private finish(): IVmprofRecords {
    const out = this.out;
    this.dropPhantoms();
    out.stackOffset = this.stacks.offsets.toArray();
    out.stackDepth = this.stacks.depths.toArray();
    out.stackCount = this.stacks.depths.length;
    const t = this.samples;
    out.threads = t.threads;
    out.sampleStack = t.stacks.toArray();
    out.sampleThread = t.threadOf.toArray();
    out.sampleCount = t.length;
    out.sampleOffset = t.offsets.toArray();
    out.damage = this.damage.summary();
    if (out.damage !== null && out.sampleCount === 0) {
      // Nothing salvaged: the file is unreadable, and saying so is clearer than an empty profile.
      throw new VmprofFormatError('corrupt', `no sample could be read: ${this.damage.firstReason()}`, out.damage.firstOffset);
    }
    out.warnings.push(...this.damage.warnings(), ...this.metaRecords.repeatWarnings());
    out.sampleRss = out.mode.memory ? t.rss.toArray() : null;
    out.sampleTime = out.layout !== 'plain' ? t.times.toArray() : null;
    return out;
  }
}
