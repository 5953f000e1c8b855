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

  constructor(bytes: Uint8Array) {
    this.cur = new ByteCursor(bytes);
    this.out = {
      wordSize: 8, addrSize: 8, periodMicros: 0, version: 0,
      mode: { memory: false, lines: false, native: false, rpython: false, realTime: false },
      interpreter: '', meta: new Map(), startTime: null, endTime: null, layout: 'plain',
      pythonNames: new NameTable(), nativeNames: new Map(),
      stackOffset: new Float64Array(0), stackDepth: new Int32Array(0), stackCount: 0,
      sampleStack: new Int32Array(0), sampleThread: new Int32Array(0),
      sampleRss: null, sampleTime: null, sampleOffset: new Float64Array(0), sampleCount: 0, threads: [], warnings: [], bytes
    };
  }

  read(): IVmprofRecords {
    this.readStaticHeader();
    this.readRecords();
    return this.finish();
  }

  private readStaticHeader(): void {
    const c = this.cur;
    const b = c.bytes;
    if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
      throw new VmprofFormatError('version', 'gzip-compressed profile: decompress it first', 0);
    }
    if (b.length < 16) {
      throw new VmprofFormatError('truncated', `file too short for a vmprof header (${b.length} bytes)`, b.length);
    }
    // Header words are [0, 3, 0, period, win64]; where the 3 sits gives the word size.
    if (b[4] === 3 && b[0] === 0) {
      c.setSizes(4, 4);
    } else if (b[7] === 3 || b[15] === 3) {
      throw new VmprofFormatError('version', 'big-endian profiles are not supported', 0);
    } else if (b[8] === 3 && b[0] === 0) {
      c.setSizes(8, 8);
    } else {
      throw new VmprofFormatError('corrupt', 'not a vmprof profile (unknown header)', 0);
    }
    c.need(5 * c.wordSize, 'header');
    const hdr = [c.word(), c.word(), c.word(), c.word(), c.word()];
    if (hdr[0] !== 0 || hdr[1] !== 3 || hdr[2] !== 0 || (hdr[4] !== 0 && hdr[4] !== 1)) {
      throw new VmprofFormatError('corrupt', 'not a vmprof profile (bad header words)', 0);
    }
    if (c.wordSize === 4 && hdr[4] === 1) {
      c.setSizes(4, 8); // Windows 64-bit: long is 4 bytes, pointers 8
    }
    if (hdr[3] <= 0) {
      throw new VmprofFormatError('corrupt', `bad sampling period ${hdr[3]} µs`, 3 * c.wordSize);
    }
    this.out.wordSize = c.wordSize;
    this.out.addrSize = c.addrSize;
    this.out.periodMicros = hdr[3];
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
          this.out.startTime = this.readTime();
        } else if (marker === MARKER_HEADER) {
          this.readHeader(start);
        } else if (marker === MARKER_INTERP_NAME) {
          this.readLegacyInterpreter(start);
        } else if (marker === MARKER_TRAILER) {
          if (this.out.version >= VERSION_DURATION) {
            this.out.endTime = this.readTime();
          }
          return; // anything after the trailer (legacy files: a maps dump) is not ours
        } else if (marker === 0) {
          const zeros = allZero(c.bytes, start, c.end);
          this.warnNoTrailer(
            zeros
              ? `the file ends in ${c.end - start} zero bytes at byte ${start}, without a trailer`
              : `unexpected 0x00 record at byte ${start}; the ${c.end - start} bytes from there were ignored`
          );
          return;
        } else {
          throw new VmprofFormatError('corrupt', `unknown record marker 0x${marker.toString(16)}`, start);
        }
      } catch (err) {
        if (err instanceof VmprofFormatError && err.code === 'truncated' && this.sawHeader) {
          this.warnNoTrailer(
            `the file is cut short at byte ${c.end}, inside a ${recordName(marker)} record that starts at byte ${start}; ` +
              'that record was dropped'
          );
          return;
        }
        throw err;
      }
    }
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
      this.out.warnings.push(`meta key "${key}" repeated at byte ${start}; the first value was kept`);
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
    this.samples.push(this.stacks.intern(c.view, stackStart, stackBytes, depth));
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
    const c = this.cur;
    c.need(c.wordSize, 'sample');
    const countIsOne =
      c.view.getUint32(c.pos, true) === 1 && (c.wordSize === 4 || c.view.getUint32(c.pos + 4, true) === 0);
    out.layout = countIsOne || c.wordSize !== 8 ? 'count-time' : 'double-time';
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
    if (key === this.lastThreadKey) {
      return this.lastThread;
    }
    let index = this.threadIndex.get(key);
    if (index === undefined) {
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
    out.stackOffset = this.stacks.offsets.toArray();
    out.stackDepth = this.stacks.depths.toArray();
    out.stackCount = this.stacks.depths.length;
    out.sampleStack = this.samples.toArray();
    out.sampleThread = this.sampleThreads.toArray();
    out.sampleCount = this.samples.length;
    out.sampleOffset = this.offsets.toArray();
    out.sampleRss = out.mode.memory ? this.rss.toArray() : null;
    out.sampleTime = out.layout !== 'plain' ? this.times.toArray() : null;
    return out;
  }
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (bytes[i] !== 0) {
      return false;
    }
  }
  return true;
}

function recordName(marker: number): string {
  switch (marker) {
    case MARKER_STACKTRACE: return 'stack sample';
    case MARKER_VIRTUAL_IP: return 'Python name';
    case MARKER_NATIVE_SYMBOLS: return 'native symbol';
    case MARKER_META: return 'meta';
    case MARKER_TIME_N_ZONE: return 'start time';
    case MARKER_TRAILER: return 'trailer';
    default: return `0x${marker.toString(16)}`;
  }
}
