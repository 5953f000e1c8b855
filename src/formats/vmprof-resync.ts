/**
 * Strict, side-effect-free checks of vmprof records, to find where reading
 * can resume after damage and which version-7 layout a file uses.
 *
 * Format: https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 * (record layouts in vmprof-layout.ts and vmprof-records.ts).
 *
 * The reader itself accepts any value the format allows; these checks accept
 * only what vmprof's writer produces (count 1, a stack of 1 to 65536 entries,
 * a thread already seen, a name `lang:…` of valid UTF-8 under 4 KB, …), so
 * that garbage rarely passes for a record. A position is a resume point when
 * three records in a row pass (or fewer up to a trailer or the end of the
 * file). Example: in `…sample | 5 bytes of garbage | sample sample name…`
 * reading resumes at the sample after the garbage; the 5 bytes are reported.
 */

import { addrKeyAt } from './vmprof-bytes';
import {
  MARKER_META, MARKER_NATIVE_SYMBOLS, MARKER_STACKTRACE, MARKER_TIME_N_ZONE, MARKER_TRAILER, MARKER_VIRTUAL_IP,
  MAX_DEPTH, VERSION_DURATION, VERSION_THREAD_ID
} from './vmprof-layout';
import type { IVmprofMode, SampleLayout } from './vmprof-layout';
import type { AddrKey } from './vmprof-names';

/** What the checks need to know about the file being read. */
export interface IProbeContext {
  bytes: Uint8Array;
  view: DataView;
  wordSize: 4 | 8;
  addrSize: 4 | 8;
  version: number;
  mode: IVmprofMode;
  layout: SampleLayout;
  /** Threads seen so far; a sample on another thread does not pass (unless none is known). */
  threads: ReadonlyMap<AddrKey, number>;
}

const INVALID = -1;
const PAST_END = -2;
/** vmprof caps names at 1023 bytes (MAX_FUNC_NAME); leave room for other writers. */
const MAX_NAME = 4096;
const CHAIN = 3;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * Set by probeSample: the sample passed on a thread not seen before. Such a
 * record is weak evidence (real threads start mid-file): a run of records
 * needs one strong record to be a resume point.
 */
let weak = false;

/** End of the record at `pos` if it passes, INVALID, or PAST_END if it would run past the file. */
export function probeRecord(ctx: IProbeContext, pos: number): number {
  switch (ctx.bytes[pos]) {
    case MARKER_STACKTRACE: return probeSample(ctx, pos + 1);
    case MARKER_VIRTUAL_IP:
    case MARKER_NATIVE_SYMBOLS: return probeName(ctx, pos + 1);
    case MARKER_META: return probeMeta(ctx, pos + 1);
    case MARKER_TIME_N_ZONE: return probeTime(ctx, pos + 1);
    case MARKER_TRAILER: return ctx.version >= VERSION_DURATION ? probeTime(ctx, pos + 1) : pos + 1;
    default: return INVALID;
  }
}

/** How many records in a row pass from `pos` (up to `max`; a trailer or the end of the file ends the run). */
export function passingRun(
  ctx: IProbeContext, pos: number, max: number
): { count: number; complete: boolean; cut?: boolean } {
  let at = pos;
  let count = 0;
  let strong = 0;
  // Past `max` records, go on (a little) until one is strong.
  while (count < max || (strong === 0 && count < 4 * max)) {
    if (at === ctx.bytes.length) {
      return { count, complete: strong > 0 };
    }
    weak = false;
    const end = probeRecord(ctx, at);
    if (end === INVALID) {
      return { count, complete: false };
    }
    if (end === PAST_END) {
      return { count, complete: strong > 0, cut: true }; // a cut file: the records before the cut passed
    }
    count++;
    strong += weak ? 0 : 1;
    if (ctx.bytes[at] === MARKER_TRAILER) {
      return { count, complete: strong > 0 };
    }
    at = end;
  }
  return { count, complete: strong > 0 };
}

/**
 * A trailer marker that really ends the profile: its time is plausible, and
 * no run of valid records follows it (a byte 0x03 in damage would end the
 * reading early and lose the rest silently). Legacy files put a memory map,
 * text, after their trailer: no record passes there.
 */
export function isRealTrailer(ctx: IProbeContext, pos: number): boolean {
  const end = probeRecord(ctx, pos);
  if (end === INVALID) {
    return false;
  }
  if (end === PAST_END || end === ctx.bytes.length) {
    return true;
  }
  const after = passingRun(ctx, end, CHAIN);
  return !(after.complete && after.count >= CHAIN);
}

/** The first position after `from` where reading can resume, or null. */
export function findResumePoint(ctx: IProbeContext, from: number, to = ctx.bytes.length): number | null {
  const b = ctx.bytes;
  for (let at = from; at < Math.min(to, b.length); at++) {
    const m = b[at];
    if (m === 0 || m > MARKER_NATIVE_SYMBOLS) {
      continue;
    }
    const run = passingRun(ctx, at, CHAIN);
    if (run.complete && run.count > 0) {
      return at;
    }
  }
  return null;
}

/**
 * Samples whose start is recognisable between `from` and `to` (the marker and
 * a count word of 1): how many a damaged region held, as far as can be told.
 */
export function countSampleStarts(ctx: IProbeContext, from: number, to: number): number {
  if (ctx.layout === 'double-time') {
    return 0; // no fixed bytes to recognise a sample by
  }
  let count = 0;
  for (let at = from; at + 1 + ctx.wordSize <= to; at++) {
    if (ctx.bytes[at] === MARKER_STACKTRACE && wordAt(ctx, at + 1) === 1) {
      count++;
    }
  }
  return count;
}

/**
 * The version-7 layout of the sample at `pos`: the one under which more of
 * the following records pass (a count word of 1 decides a tie). Looking past
 * the first sample matters: a fork timestamp can never be the bit pattern of
 * 1, but a damaged or unusual first sample can mislead either way.
 */
export function detectSampleLayout(ctx: IProbeContext, pos: number): SampleLayout {
  if (ctx.wordSize !== 8 || pos + 9 > ctx.bytes.length) {
    return 'count-time'; // the fork's layout exists for 64-bit files only
  }
  // Each layout is judged where its records first pass (the first sample may be
  // damaged), by how many pass there; a record cut by the end of the file counts
  // as passing: it may be whole in the full file.
  const score = (layout: SampleLayout) => {
    const c = { ...ctx, layout };
    const at = findResumePoint(c, pos, pos + 4096) ?? pos;
    const run = passingRun(c, at, 16);
    return { count: run.count + (run.cut === true ? 1 : 0), at };
  };
  const count = score('count-time');
  const double = score('double-time');
  if (count.count !== double.count) {
    return count.count > double.count ? 'count-time' : 'double-time';
  }
  if (count.at !== double.at) {
    return count.at < double.at ? 'count-time' : 'double-time';
  }
  return wordAt(ctx, pos + 1) === 1 ? 'count-time' : 'double-time';
}

function probeSample(ctx: IProbeContext, pos: number): number {
  const { bytes, view, wordSize: w, addrSize: a } = ctx;
  let p = pos;
  if (ctx.layout === 'double-time') {
    if (p + 8 > bytes.length) {
      return PAST_END;
    }
    const t = view.getFloat64(p, true);
    if (!Number.isFinite(t) || t < 0) {
      return INVALID;
    }
    p += 8;
  } else {
    if (p + w > bytes.length) {
      return PAST_END;
    }
    if (wordAt(ctx, p) !== 1) {
      return INVALID;
    }
    p += w;
  }
  if (p + w > bytes.length) {
    return PAST_END;
  }
  const depth = wordAt(ctx, p);
  const paired = ctx.mode.lines || ctx.mode.rpython;
  if (depth < 1 || depth > MAX_DEPTH || (paired && depth % 2 !== 0)) {
    return INVALID;
  }
  p += w + depth * a;
  if (ctx.version >= VERSION_THREAD_ID) {
    if (p + a > bytes.length) {
      return PAST_END;
    }
    const thread = addrKeyAt(view, p, a);
    if (!isPlausibleThread(thread)) {
      return INVALID;
    }
    weak = ctx.threads.size > 0 && !ctx.threads.has(thread);
    p += a;
  }
  if (ctx.mode.memory) {
    if (p + a > bytes.length) {
      return PAST_END;
    }
    const rss = addrKeyAt(view, p, a);
    if (typeof rss !== 'number' || rss < 0 || rss > 2 ** 42) {
      return INVALID;
    }
    p += a;
  }
  if (ctx.layout === 'count-time') {
    if (p + 8 > bytes.length) {
      return PAST_END;
    }
    if (view.getInt32(p + 4, true) < 0) {
      return INVALID;
    }
    p += 8;
  }
  return p > bytes.length ? PAST_END : p;
}

function probeName(ctx: IProbeContext, pos: number): number {
  const { bytes, addrSize: a, wordSize: w } = ctx;
  if (pos + a + w > bytes.length) {
    return PAST_END;
  }
  const length = wordAt(ctx, pos + a);
  if (length < 3 || length > MAX_NAME) {
    return INVALID;
  }
  const start = pos + a + w;
  if (start + length > bytes.length) {
    return PAST_END;
  }
  const text = utf8(bytes.subarray(start, start + length));
  return text !== null && /^[a-z]{1,8}:/.test(text) ? start + length : INVALID;
}

function probeMeta(ctx: IProbeContext, pos: number): number {
  const { bytes, wordSize: w } = ctx;
  let p = pos;
  for (const [min, max] of [[1, 256], [0, 1 << 24]]) {
    if (p + w > bytes.length) {
      return PAST_END;
    }
    const length = wordAt(ctx, p);
    if (length < min || length > max) {
      return INVALID;
    }
    p += w;
    if (p + length > bytes.length) {
      return PAST_END;
    }
    if (utf8(bytes.subarray(p, p + length)) === null) {
      return INVALID;
    }
    p += length;
  }
  return p;
}

function probeTime(ctx: IProbeContext, pos: number): number {
  const { bytes, view } = ctx;
  if (pos + 24 > bytes.length) {
    return PAST_END;
  }
  const secondsHigh = view.getInt32(pos + 4, true);
  const micros = view.getUint32(pos + 8, true);
  const zoneZero = view.getUint32(pos + 16, true) === 0 && view.getUint32(pos + 20, true) === 0;
  const ok = secondsHigh >= 0 && secondsHigh < 4 && view.getUint32(pos + 12, true) === 0 && micros < 1e6 && zoneZero;
  return ok ? pos + 24 : INVALID;
}

/**
 * A thread id as vmprof writes it: a user-space address on Unix CPython (the
 * PyThreadState), a small OS thread id on Windows, 0 on PyPy: never negative
 * nor above the 48-bit user address space. Shifted bytes read as a thread id
 * (a stray byte inserted before it) almost always are.
 */
export function isPlausibleThread(key: AddrKey): boolean {
  return typeof key === 'number' && key >= 0 && key < 2 ** 48;
}

/** A word as a small non-negative integer, or -1 if it is not one. */
function wordAt(ctx: IProbeContext, at: number): number {
  if (ctx.wordSize === 4) {
    return ctx.view.getInt32(at, true);
  }
  return ctx.view.getUint32(at + 4, true) === 0 ? ctx.view.getUint32(at, true) : -1;
}

function utf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
