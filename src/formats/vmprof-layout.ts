/**
 * Constants and types of the vmprof raw profile format, shared by the record
 * reader (vmprof-records.ts) and its helpers.
 *
 * Format: https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 * (and the writer in vmprof-python's src/vmprof_common.c).
 */

import { AddrKey, NameTable } from './vmprof-names';

export interface IDamageSummary {
  /** Byte where the first damaged region starts. */
  firstOffset: number;
  regions: number;
  /** Bytes skipped in all. */
  bytes: number;
  /** Samples recognisable in the skipped bytes, at least one per damaged sample record. */
  samplesLost: number;
}

export const MARKER_STACKTRACE = 0x01;
export const MARKER_VIRTUAL_IP = 0x02;
export const MARKER_TRAILER = 0x03;
export const MARKER_INTERP_NAME = 0x04;
export const MARKER_HEADER = 0x05;
export const MARKER_TIME_N_ZONE = 0x06;
export const MARKER_META = 0x07;
export const MARKER_NATIVE_SYMBOLS = 0x08;

export const VERSION_THREAD_ID = 1;
export const VERSION_MEMORY = 3;
export const VERSION_MODE_AWARE = 4;
export const VERSION_DURATION = 5;
/** Newest version we know; 7 exists in two layouts (see SampleLayout). */
export const VERSION_SAMPLE_TIME = 7;

/** The writer rejects deeper stacks long before this; vmprof's reader asserts it too. */
export const MAX_DEPTH = 1 << 16;

/**
 * How a version-7 sample stores its time.
 * - 'count-time': vmprof 0.6.0 (vmprof-python PR #284): the count word stays 1
 *   and a signed 64-bit nanosecond timestamp follows thread id and rss.
 * - 'double-time': the Cskorpion fork (`sample_timestamps`): the count word
 *   is replaced by an IEEE double of CLOCK_MONOTONIC seconds.
 * Tell them apart by the count slot: a valid double timestamp is never the
 * integer bit pattern 1.
 */
export type SampleLayout = 'plain' | 'count-time' | 'double-time';

export interface IVmprofMode {
  memory: boolean;
  lines: boolean;
  native: boolean;
  rpython: boolean;
  realTime: boolean;
}

/** Everything read from one file, before stack entries are given meaning. */
export interface IVmprofRecords {
  wordSize: 4 | 8;
  addrSize: 4 | 8;
  periodMicros: number;
  version: number;
  mode: IVmprofMode;
  interpreter: string;
  meta: Map<string, string>;
  /** Wall-clock start / end (epoch seconds) from TIME_N_ZONE and the trailer. */
  startTime: number | null;
  endTime: number | null;
  layout: SampleLayout;
  /** Name records by id key: 0x02 (Python code, by position: see vmprof-names.ts) and 0x08 (native symbol). */
  pythonNames: NameTable;
  nativeNames: Map<AddrKey, string>;
  /** Distinct stacks: file offset of the first entry and number of entries. */
  stackOffset: Float64Array;
  stackDepth: Int32Array;
  stackCount: number;
  /** Per sample: distinct stack index, thread index, rss kB, time in seconds. */
  sampleStack: Int32Array;
  sampleThread: Int32Array;
  sampleRss: Float64Array | null;
  sampleTime: Float64Array | null;
  /** Per sample: byte offset of its record (names are resolved by position). */
  sampleOffset: Float64Array;
  sampleCount: number;
  /** Damaged regions skipped while reading (null when there were none). */
  damage: IDamageSummary | null;
  /** Thread ids as decimal strings, in order of first appearance. */
  threads: string[];
  warnings: string[];
  bytes: Uint8Array;
}

