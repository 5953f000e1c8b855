/**
 * The vmprof reader's fast path: a run of ordinary samples of one thread, read
 * in one tight loop.
 *
 * Format: https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 *
 * Nearly all of a profile is sample records, one after another, of the
 * thread of the sample before. The record reader (vmprof-records.ts) reads
 * any record and says what is wrong with a bad one; this loop takes only the
 * samples it can read whole that pass every check the record reader makes,
 * and stops at the first record that is anything else, which the record
 * reader then reads. So each sample gets the same stack, thread, offset and
 * time either way, and a bad record the same error or repair.
 *
 * It reads what 64-bit CPython and PyPy write: 8-byte words and addresses, a
 * thread id in each sample (version 1 on), no memory mode, and a count of 1
 * with a nanosecond time after the thread id (version 7, vmprof 0.6.0) or no
 * time (below version 7).
 */

import { StackInterner } from './stack-interner';
import { SampleTable } from './vmprof-samples';
import { ByteCursor } from './vmprof-bytes';
import { IVmprofRecords, MARKER_STACKTRACE, MAX_DEPTH, VERSION_SAMPLE_TIME, VERSION_THREAD_ID } from './vmprof-layout';

const TWO_32 = 4294967296;
/** Marker byte, count word, depth word. */
const HEAD_BYTES = 17;

/** Where a run stopped, and the last sample it took (the record reader's `lastSample`). */
export interface ISampleRunEnd {
  /** Samples taken. */
  taken: number;
  /** The first byte not read: the record the run stopped at. */
  pos: number;
  lastStart: number;
  lastStack: number;
}

export class SampleRun {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  /** Bytes after the stack: the thread id, and the time when `timed`. */
  private readonly tailBytes: number;
  readonly end: ISampleRunEnd = { taken: 0, pos: 0, lastStart: 0, lastStack: 0 };

  /** `pairedDepth`: entries come in pairs (lines or RPython mode), so an odd depth is not taken. */
  constructor(
    bytes: Uint8Array,
    view: DataView,
    private readonly stacks: StackInterner,
    private readonly samples: SampleTable,
    private readonly timed: boolean,
    private readonly pairedDepth: boolean
  ) {
    this.bytes = bytes;
    this.view = view;
    this.tailBytes = timed ? 16 : 8;
  }

  /** The fast path for a file whose first sample has been read, or null if it does not take the file's layout. */
  static forFile(cur: ByteCursor, out: IVmprofRecords, stacks: StackInterner, samples: SampleTable): SampleRun | null {
    const timed = out.version >= VERSION_SAMPLE_TIME;
    const takes = cur.wordSize === 8 && cur.addrSize === 8 && out.version >= VERSION_THREAD_ID && !out.mode.memory;
    if (!takes || out.layout !== (timed ? 'count-time' : 'plain')) {
      return null;
    }
    return new SampleRun(cur.bytes, cur.view, stacks, samples, timed, out.mode.rpython || out.mode.lines);
  }

  /**
   * Takes at most `limit` samples from `pos` on, of the thread of the sample
   * read just before (at `prevStart`, stack `prevStack`); `this.end` says
   * where it stopped.
   */
  read(pos: number, limit: number, prevStart: number, prevStack: number): ISampleRunEnd {
    const { view, bytes, stacks, samples, timed, tailBytes } = this;
    const fileEnd = bytes.length;
    const depthMask = this.pairedDepth ? 1 : 0;
    const prevThreadAt = pos - tailBytes;
    const threadLow = view.getInt32(prevThreadAt, true);
    const threadHigh = view.getInt32(prevThreadAt + 4, true);
    const thread = samples.threadOf.data[samples.length - 1];
    let taken = 0;
    let start = prevStart;
    let stack = prevStack;
    while (taken < limit && pos + HEAD_BYTES <= fileEnd && bytes[pos] === MARKER_STACKTRACE) {
      // The record reader's checks: a count of 1, a depth in range (even when paired), every byte there.
      const depth = view.getInt32(pos + 9, true);
      if (
        view.getInt32(pos + 1, true) !== 1 ||
        view.getInt32(pos + 5, true) !== 0 ||
        view.getInt32(pos + 13, true) !== 0 ||
        depth < 0 ||
        depth > MAX_DEPTH ||
        (depth & depthMask) !== 0
      ) {
        break;
      }
      const stackStart = pos + HEAD_BYTES;
      const threadAt = stackStart + depth * 8;
      if (threadAt + tailBytes > fileEnd) {
        break;
      }
      // Another thread goes to the record reader, which knows the threads.
      if (view.getInt32(threadAt, true) !== threadLow || view.getInt32(threadAt + 4, true) !== threadHigh) {
        break;
      }
      stack = stacks.internAfter(view, stackStart, depth * 8, depth, start + HEAD_BYTES, stack);
      samples.stacks.push(stack);
      samples.threadOf.push(thread);
      samples.offsets.push(pos);
      if (timed) {
        samples.times.push((view.getInt32(threadAt + 12, true) * TWO_32 + view.getUint32(threadAt + 8, true)) / 1e9);
      }
      start = pos;
      pos = threadAt + tailBytes;
      taken++;
    }
    const end = this.end;
    end.taken = taken;
    end.pos = pos;
    end.lastStart = start;
    end.lastStack = stack;
    return end;
  }
}
