/**
 * vmprof raw profile → profile model.
 *
 * Format: https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 * (and the writer in src/vmprof_common.c); our notes: docs/vmprof-format.md.
 *
 * Reading the records is vmprof-records.ts; this file gives stack entries
 * their meaning (Python code, native function, PyPy JIT code, line numbers),
 * names frames, and derives time from what was measured (design,
 * "Truthfulness"): never samples × requested period.
 */

import { FrameKind } from '../model/graph-json';
import { PairTable } from '../model/pair-table';
import { IProfile, IProfileInfo, ProfileBuilder, TimeBasis } from '../model/profile';
import { addrKeyAt, hexKey, isNativeKey } from './vmprof-bytes';
import { checkMemoryBudget } from './vmprof-budget';
import { AddrKey, IVmprofRecords, readVmprofRecords } from './vmprof-records';

export { VmprofFormatError } from './vmprof-records';
export type { VmprofErrorCode } from './vmprof-records';

export interface IVmprofReadOptions {
  /**
   * Line-level frames (lines-mode files only): a Python frame's `line` is
   * the line executing in that sample instead of the function's first line.
   */
  lines?: boolean;
  /** Memory per call-tree node of the output to be written (vmprof-budget.ts); callgrind's by default. */
  treeNodeBytes?: number;
  /**
   * The library (path) holding a native function's start address, for
   * native names vmprof recorded without their library (`n:dgemm_nn:0:-`):
   * comparing two processes matches native code by library and symbol.
   */
  nativeLibrary?: (address: number) => string | null;
}

/** PyPy stack entry kinds (vmprof reader.py VMPROF_*_TAG; 1 = Python code). */
const PYPY_JITTED = 3;
const PYPY_ASSEMBLER = 6;
const PYPY_NATIVE = 7;
const PYPY_OTHER: Record<number, string> = { 2: '<blackhole>', 4: '<jitting>', 5: '<gc>' };


export function readVmprof(bytes: Uint8Array, options: IVmprofReadOptions = {}): IProfile {
  const records = readVmprofRecords(bytes);
  return new ModelMaker(records, options).make();
}

export interface IParsedName {
  name: string;
  file: string;
  line: number;
  /** 'py', 'n', or another language tag; '' when the name has no tag. */
  lang: string;
}

/**
 * Splits vmprof's `<lang>:<name>:<line>:<file>` names. Python names are
 * split at the first colons (co_name has none; the file may, e.g. `c:\…`);
 * native names are matched greedily on the name (C++ names contain `::`).
 */
export function parseVmprofName(text: string): IParsedName {
  if (text.startsWith('py:')) {
    const rest = text.slice(3);
    const a = rest.indexOf(':');
    const b = a < 0 ? -1 : rest.indexOf(':', a + 1);
    if (b > 0 && /^-?\d+$/.test(rest.slice(a + 1, b))) {
      return { lang: 'py', name: rest.slice(0, a), line: Number(rest.slice(a + 1, b)), file: rest.slice(b + 1) };
    }
  }
  const native = /^n:([\s\S]*):(-?\d+):([\s\S]*)$/.exec(text);
  if (native) {
    const file = native[3] === '-' ? '' : native[3];
    return { lang: 'n', name: native[1], line: Number(native[2]), file };
  }
  const generic = /^([a-z]+):([^:]*):(-?\d+):([\s\S]*)$/.exec(text);
  if (generic) {
    return { lang: generic[1], name: generic[2], line: Number(generic[3]), file: generic[4] };
  }
  return { lang: '', name: text, line: 0, file: '' };
}

class ModelMaker {
  private builder = new ProfileBuilder();
  private frameOfAddr = new Map<AddrKey, number>();
  /** The frame of a fixed-name 8-byte entry by its two words: no number or Map hash per entry. */
  private frameOfWords = new PairTable();
  private frameOfLine = new Map<string, number>();
  private view: DataView;
  /** Sampled addresses with several names and no recorded birth. */
  private uncertain = new Set<AddrKey>();

  constructor(private records: IVmprofRecords, private options: IVmprofReadOptions) {
    const bytes = records.bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  make(): IProfile {
    const r = this.records;
    const timedIds = new Set<AddrKey>(r.pythonNames.timedIds());
    const nodeOfStack = new Int32Array(r.stackCount);
    // Stacks holding an address whose name changes during the run: their
    // samples are named one by one (vmprof-names.ts), cached by the names met.
    const timedOfStack = new Map<number, AddrKey[]>();
    // A distinct stack only damage used (its sample dropped) makes no frames.
    const used = new Uint8Array(r.stackCount);
    for (let i = 0; i < r.sampleCount; i++) {
      used[r.sampleStack[i]] = 1;
    }
    for (let s = 0; s < r.stackCount; s++) {
      if (used[s] === 0) {
        continue;
      }
      if ((s & 255) === 0 || r.stackDepth[s] > 4096) {
        // A deep stack is counted before it is interned: it may add a node per entry.
        this.checkBudget(r.stackDepth[s] > 4096 ? r.stackDepth[s] : 0);
      }
      const timed = timedIds.size > 0 ? this.timedEntries(r.stackOffset[s], r.stackDepth[s], timedIds) : [];
      if (timed.length > 0) {
        timedOfStack.set(s, timed);
      } else {
        nodeOfStack[s] = this.internStack(r.stackOffset[s], r.stackDepth[s], -1);
      }
    }
    this.checkBudget();
    r.threads.forEach(t => this.builder.thread(t)); // same order, so thread indexes carry over
    const stacks = timedOfStack.size === 0 ? this.sampleNodes(nodeOfStack) : this.namedSampleNodes(nodeOfStack, timedOfStack);
    this.builder.addSamples(stacks, r.sampleThread, r.sampleRss, r.sampleTime);
    return this.builder.build(this.info());
  }

  /** The usual case, one plain loop over every sample: no name changed during the run. */
  private sampleNodes(nodeOfStack: Int32Array): Int32Array {
    const r = this.records;
    const stacks = new Int32Array(r.sampleCount);
    for (let i = 0; i < r.sampleCount; i++) {
      stacks[i] = nodeOfStack[r.sampleStack[i]];
    }
    return stacks;
  }

  /** Samples of stacks whose names changed during the run, named by what lived at their addresses then. */
  private namedSampleNodes(nodeOfStack: Int32Array, timedOfStack: Map<number, AddrKey[]>): Int32Array {
    const r = this.records;
    const stacks = new Int32Array(r.sampleCount);
    const nodeOfNamedStack = new Map<string, number>();
    for (let i = 0; i < r.sampleCount; i++) {
      const s = r.sampleStack[i];
      const timed = timedOfStack.get(s);
      if (timed === undefined) {
        stacks[i] = nodeOfStack[s];
        continue;
      }
      const at = r.sampleOffset[i];
      const key = `${s}\u0000${timed.map(id => r.pythonNames.nameAt(id, at) ?? '').join('\u0000')}`;
      let node = nodeOfNamedStack.get(key);
      if (node === undefined) {
        node = this.internStack(r.stackOffset[s], r.stackDepth[s], at);
        nodeOfNamedStack.set(key, node);
      }
      stacks[i] = node;
    }
    return stacks;
  }

  /** Stops a conversion that would need far more memory than the file (vmprof-budget.ts). */
  private checkBudget(newNodes = 0): void {
    const r = this.records;
    checkMemoryBudget(r.bytes.length, {
      samples: r.sampleCount, names: r.pythonNames.size, threads: r.threads.length,
      nodes: this.builder.nodeCount + newNodes, functions: this.builder.frameCount, nodeBytes: this.options.treeNodeBytes
    });
  }

  /** The entries of one distinct stack whose name depends on when it was sampled. */
  private timedEntries(offset: number, depth: number, timedIds: Set<AddrKey>): AddrKey[] {
    const size = this.records.addrSize;
    const step = this.records.mode.rpython || this.records.mode.lines ? 2 : 1;
    const out: AddrKey[] = [];
    for (let i = step - 1; i < depth; i += step) {
      const id = addrKeyAt(this.view, offset + i * size, size);
      if (timedIds.has(id) && !out.includes(id)) {
        out.push(id);
        if (this.records.pythonNames.isUncertain(id)) {
          this.uncertain.add(id);
        }
      }
    }
    return out;
  }

  /**
   * Reads one distinct stack (leaf first in the file) and interns it root
   * first; `at` is the byte offset of the sample naming it, -1 when no entry
   * of the stack has a name that changes during the run.
   */
  private internStack(offset: number, depth: number, at: number): number {
    const r = this.records;
    const size = r.addrSize;
    const paired = r.mode.rpython || r.mode.lines;
    const frames: number[] = [];
    if (!paired && size === 8 && at < 0) {
      // Once per entry of every distinct stack: the entry's words find its frame directly.
      for (let i = depth - 1; i >= 0; i--) {
        const lo = this.view.getInt32(offset + i * 8, true);
        const hi = this.view.getInt32(offset + i * 8 + 4, true);
        let frame = this.frameOfWords.get(lo, hi);
        if (frame < 0) {
          frame = this.frameFor(addrKeyAt(this.view, offset + i * 8, 8), 0, 0, at);
          this.frameOfWords.set(lo, hi, frame);
        }
        frames.push(frame);
      }
    } else if (!paired) {
      for (let i = depth - 1; i >= 0; i--) {
        frames.push(this.frameFor(addrKeyAt(this.view, offset + i * size, size), 0, 0, at));
      }
    } else {
      for (let i = depth - 2; i >= 0; i -= 2) {
        const first = addrKeyAt(this.view, offset + i * size, size);
        const value = addrKeyAt(this.view, offset + (i + 1) * size, size);
        if (r.mode.rpython) {
          const kind = typeof first === 'number' ? first : -1;
          if (kind === PYPY_ASSEMBLER) {
            continue; // vmprof's own tree skips assembler entries too
          }
          frames.push(this.frameFor(value, kind, 0, at));
        } else {
          frames.push(this.frameFor(value, 0, typeof first === 'number' ? first : 0, at));
        }
      }
    }
    return this.builder.stackOf(frames);
  }

  private frameFor(addr: AddrKey, pypyKind: number, line: number, at: number): number {
    if (at < 0 && pypyKind <= 1 && !(this.options.lines === true && line > 0)) {
      // The common case, once per entry of every distinct stack: a fixed name, cached by address
      // below; found here before the name lookups it would not need.
      const known = this.frameOfAddr.get(addr);
      if (known !== undefined) {
        return known;
      }
    }
    const names = this.records.pythonNames;
    const fixed = at < 0 || names.isFixed(addr);
    const pythonName = fixed ? names.fixedName(addr) : names.nameAt(addr, at);
    // An address named differently at different times is a different frame for each name.
    const nameKey = fixed ? '' : `\u0000${pythonName ?? ''}`;
    const lineLevel = this.options.lines === true && line > 0;
    if (lineLevel) {
      const key = `${addr}:${line}${nameKey}`;
      const known = this.frameOfLine.get(key);
      if (known !== undefined) {
        return known;
      }
      const id = this.makeFrame(addr, pypyKind, line, pythonName);
      this.frameOfLine.set(key, id);
      return id;
    }
    const cacheKey = pypyKind > 1 || !fixed ? `${pypyKind}:${addr}${nameKey}` : addr;
    let id = this.frameOfAddr.get(cacheKey);
    if (id === undefined) {
      id = this.makeFrame(addr, pypyKind, 0, pythonName);
      this.frameOfAddr.set(cacheKey, id);
    }
    return id;
  }

  private makeFrame(addr: AddrKey, pypyKind: number, sampleLine: number, pythonName: string | undefined): number {
    const b = this.builder;
    const r = this.records;
    if (PYPY_OTHER[pypyKind] !== undefined) {
      return b.frame(PYPY_OTHER[pypyKind], '', 0, 'native');
    }
    const native = r.mode.rpython ? pypyKind === PYPY_NATIVE : isNativeKey(addr);
    if (pythonName !== undefined) {
      const p = parseVmprofName(pythonName);
      const kind: FrameKind = pypyKind === PYPY_JITTED ? 'jit' : p.lang === 'py' ? 'python' : 'unknown';
      if (sampleLine > 0 && p.lang === 'py') {
        return b.frame(p.name, p.file, sampleLine, kind, p.line);
      }
      return b.frame(p.name, p.file, p.line, kind);
    }
    const nativeName = r.nativeNames.get(addr);
    if (native) {
      const kind: FrameKind = pypyKind === PYPY_JITTED ? 'jit' : 'native';
      if (nativeName !== undefined) {
        const p = parseVmprofName(nativeName);
        return b.frame(p.name, p.file || this.libraryOf(addr), p.line, kind);
      }
      return b.frame(`<native symbol ${hexKey(addr)}>`, '', 0, kind);
    }
    // An even id is Python code; a lone `n:` name for it is vmprof's placeholder.
    const kind: FrameKind = pypyKind === PYPY_JITTED ? 'jit' : 'unknown';
    if (nativeName !== undefined && !nativeName.startsWith('n:')) {
      const p = parseVmprofName(nativeName);
      return b.frame(p.name, p.file, p.line, kind);
    }
    return b.frame(`<unknown code ${hexKey(addr)}>`, '', 0, kind);
  }

  private libraryOf(addr: AddrKey): string {
    if (!this.options.nativeLibrary) {
      return '';
    }
    // vmprof records a native function's start address with bit 0 set.
    const address = Number(hexKey(addr)) - 1;
    return (Number.isSafeInteger(address) && this.options.nativeLibrary(address)) || '';
  }

  private info(): IProfileInfo {
    const r = this.records;
    const warnings = r.warnings.slice();
    const duration =
      r.startTime !== null && r.endTime !== null && r.endTime > r.startTime ? r.endTime - r.startTime : null;
    const time = secondsPerSample(r, duration);
    if (r.sampleCount === 0) {
      warnings.push('the profile holds no samples');
    }
    if (this.uncertain.size > 0) {
      warnings.push(
        `${this.uncertain.size} sampled code address(es) held more than one function while profiling ` +
          '(code freed and its memory reused); each sample is named by the next name record, which can ' +
          'give samples taken just before a name was written the previous function\'s name'
      );
    }
    return {
      periodSeconds: r.periodMicros / 1e6,
      interpreter: r.mode.rpython ? 'pypy' : r.interpreter === 'pypy' ? 'pypy' : 'cpython',
      platform: r.meta.get('os') ?? '',
      fileVersion: r.version,
      mode: { native: r.mode.native, lines: r.mode.lines, memory: r.mode.memory, realTime: r.mode.realTime },
      startTime: r.startTime,
      durationSeconds: duration,
      secondsPerSample: time.secondsPerSample,
      timeBasis: time.basis,
      // 0.6.0 stamps samples with process CPU time unless in real-time mode;
      // the fork's layout always uses CLOCK_MONOTONIC (see secondsPerSample).
      sampleClock: r.sampleTime === null ? null : r.layout === 'double-time' || r.mode.realTime ? 'wall' : 'cpu',
      warnings
    };
  }
}

/**
 * Seconds one sample stands for, from measured quantities only.
 *
 * With timestamps: total time between consecutive samples / number of gaps,
 * process-wide in CPU mode; in real-time mode (each registered thread has
 * its own timer signal) that of the thread with most samples, whose gaps
 * are the timer's. Threads that mostly wait are sampled a handful of times
 * over seconds and say nothing about the period: in one kernel, 642 samples
 * of the cell's thread over 2.004 s (3.1 ms each) and 13, 2 and 6 samples
 * of three kernel threads over up to 1.3 s averaged to 5.9 ms, and a 2.0 s
 * cell read as 3.8 s of sampled wall time. In vmprof 0.6.0's CPU mode the
 * timestamps are process CPU time, so this is CPU seconds per sample; in
 * real-time mode (and the fork's layout) they are CLOCK_MONOTONIC.
 * Example: 755 samples spread over 3.016 s of CPU time give 4.0 ms each,
 * although the requested period was 1 ms.
 * Without timestamps: measured duration (trailer − start) / samples.
 */
function secondsPerSample(r: IVmprofRecords, duration: number | null): {
  secondsPerSample: number | null;
  basis: TimeBasis;
} {
  const times = r.sampleTime;
  if (times && r.sampleCount >= 2) {
    const perThread = r.mode.realTime;
    const groups = perThread ? r.threads.length : 1;
    const first = new Float64Array(groups).fill(NaN);
    const last = new Float64Array(groups);
    const count = new Int32Array(groups);
    for (let i = 0; i < r.sampleCount; i++) {
      const g = perThread ? r.sampleThread[i] : 0;
      const t = times[i];
      if (!Number.isFinite(t)) {
        continue;
      }
      if (Number.isNaN(first[g]) || t < first[g]) {
        first[g] = t;
      }
      if (count[g] === 0 || t > last[g]) {
        last[g] = t;
      }
      count[g]++;
    }
    let busiest = 0;
    for (let g = 1; g < groups; g++) {
      if (count[g] > count[busiest]) {
        busiest = g;
      }
    }
    const span = count[busiest] >= 2 ? last[busiest] - first[busiest] : 0;
    const gaps = count[busiest] - 1;
    if (gaps > 0 && span > 0) {
      return { secondsPerSample: span / gaps, basis: 'timestamps' };
    }
  }
  if (duration !== null && r.sampleCount > 0) {
    return { secondsPerSample: duration / r.sampleCount, basis: 'duration' };
  }
  return { secondsPerSample: null, basis: 'none' };
}
