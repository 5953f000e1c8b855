/**
 * The one profile model every view and export is derived from (the shape
 * speedscope uses): a frame table, an interned prefix tree of stacks, and
 * per-sample stack id, thread, and optional rss and time.
 *
 * A profile is built once by ProfileBuilder and never changed afterwards;
 * cleaning frames (src/symbols) builds a new profile.
 */

import { FrameKind } from './graph-json';
import { GrowableFloat64, GrowableInt32 } from './growable';
import { PairTable } from './pair-table';

export type { FrameKind } from './graph-json';

export interface IFrame {
  /** Function name as recorded (co_name, native symbol or JIT name). */
  readonly name: string;
  /** Source file, shared object path, or '' when unknown. */
  readonly file: string;
  /** First line of the function (or, in line-level profiles, the line); 0 when unknown. */
  readonly line: number;
  readonly kind: FrameKind;
  /**
   * Line-level frames only (a lines-mode file read with `lines: true`): the
   * function's first line, so a line frame can be traced back to its
   * function (src/model/lines.ts); absent on function-level frames.
   */
  readonly functionLine?: number;
}

export type TimeBasis = 'timestamps' | 'duration' | 'none';

/**
 * What the per-sample timestamps measure: 'wall' for a monotonic clock
 * (real-time mode, the fork's layout), 'cpu' for process CPU time (vmprof
 * 0.6.0 in CPU-time mode).
 */
export type SampleClock = 'wall' | 'cpu';

/** Facts about the whole profile, as recorded or measured. */
export interface IProfileInfo {
  /** Requested sampling period in seconds (never used to compute time). */
  readonly periodSeconds: number;
  readonly interpreter: string;
  readonly platform: string;
  readonly fileVersion: number;
  readonly mode: { native: boolean; lines: boolean; memory: boolean; realTime: boolean };
  /** Wall-clock start, epoch seconds, if recorded. */
  readonly startTime: number | null;
  /** Trailer time − start time, if both were recorded. */
  readonly durationSeconds: number | null;
  readonly secondsPerSample: number | null;
  readonly timeBasis: TimeBasis;
  /** Clock of `IProfile.sampleTime`; absent or null when samples have no time. */
  readonly sampleClock?: SampleClock | null;
  readonly warnings: readonly string[];
}

export interface IProfile {
  /** Sorted by (file, line, name, kind); frame ids index this table. */
  readonly frames: readonly IFrame[];
  /** Stack node → its innermost frame. Node ids: parents before children. */
  readonly stackFrame: Int32Array;
  /** Stack node → parent node, or -1 for an outermost frame. */
  readonly stackParent: Int32Array;
  /** Sample → stack node, or -1 for an empty stack. */
  readonly sampleStack: Int32Array;
  /** Sample → index into `threads`. */
  readonly sampleThread: Int32Array;
  /** Thread ids as recorded (decimal strings). */
  readonly threads: readonly string[];
  /** Sample → resident memory in kB (memory mode only). */
  readonly sampleRss: Float64Array | null;
  /** Sample → time in seconds on the profile's clock (version 7 only). */
  readonly sampleTime: Float64Array | null;
  readonly info: IProfileInfo;
}

export function compareFrames(a: IFrame, b: IFrame): number {
  if (a.file !== b.file) {
    return a.file < b.file ? -1 : 1;
  }
  if (a.line !== b.line) {
    return a.line - b.line;
  }
  if (a.name !== b.name) {
    return a.name < b.name ? -1 : 1;
  }
  if (a.kind !== b.kind) {
    return a.kind < b.kind ? -1 : 1;
  }
  return (a.functionLine ?? -1) - (b.functionLine ?? -1);
}

export class ProfileBuilder {
  private frames: IFrame[] = [];
  private frameIds = new Map<string, number>();
  private nodeFrame = new GrowableInt32();
  private nodeParent = new GrowableInt32();
  private nodeIds = new PairTable();
  private samples = new GrowableInt32();
  private sampleThreads = new GrowableInt32();
  private rss: GrowableFloat64 | null = null;
  private times: GrowableFloat64 | null = null;
  private threads: string[] = [];
  private threadIds = new Map<string, number>();
  private built = false;

  /** Frames and call-tree nodes so far (readers bound their memory by them). */
  get frameCount(): number {
    return this.frames.length;
  }

  get nodeCount(): number {
    return this.nodeFrame.length;
  }

  /** The id of a frame, added if new; `functionLine` only for line-level frames. */
  frame(name: string, file: string, line: number, kind: FrameKind, functionLine?: number): number {
    const key = `${kind}\u0000${line}\u0000${file}\u0000${name}\u0000${functionLine ?? ''}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push(functionLine === undefined ? { name, file, line, kind } : { name, file, line, kind, functionLine });
      this.frameIds.set(key, id);
    }
    return id;
  }

  /** The node for `frame` called from stack node `parent` (-1: outermost). */
  stack(parent: number, frame: number): number {
    let id = this.nodeIds.get(parent, frame);
    if (id < 0) {
      id = this.nodeFrame.length;
      this.nodeFrame.push(frame);
      this.nodeParent.push(parent);
      this.nodeIds.set(parent, frame, id);
    }
    return id;
  }

  /** The node for a whole stack given outermost frame first. */
  stackOf(framesRootFirst: ArrayLike<number>): number {
    let node = -1;
    for (let i = 0; i < framesRootFirst.length; i++) {
      node = this.stack(node, framesRootFirst[i]);
    }
    return node;
  }

  thread(id: string): number {
    let index = this.threadIds.get(id);
    if (index === undefined) {
      index = this.threads.length;
      this.threads.push(id);
      this.threadIds.set(id, index);
    }
    return index;
  }

  /** Adds one sample; give rss/time for all samples or for none. */
  addSample(stack: number, thread: number, rss?: number, time?: number): void {
    this.samples.push(stack);
    this.sampleThreads.push(thread);
    if (rss !== undefined) {
      (this.rss ??= new GrowableFloat64()).push(rss);
    }
    if (time !== undefined) {
      (this.times ??= new GrowableFloat64()).push(time);
    }
  }

  /**
   * Adds many samples at once (stack node ids of this builder); much faster
   * than addSample in a loop for million-sample profiles. The first call's
   * arrays are kept, not copied: the caller must not change them afterwards.
   */
  addSamples(stacks: Int32Array, threads: Int32Array, rss: Float64Array | null, times: Float64Array | null): void {
    const n = stacks.length;
    const base = this.samples.length;
    if (base > 0 && ((rss !== null) !== (this.rss !== null) || (times !== null) !== (this.times !== null))) {
      throw new Error('addSamples: rss/time must be given for all samples or for none');
    }
    if (threads.length !== n || (rss && rss.length !== n) || (times && times.length !== n)) {
      throw new Error('addSamples: arrays of different lengths');
    }
    if (base === 0) {
      // The usual case, all samples at once: the arrays are kept, not copied (on a file of samples
      // alone, each copy is a large share of the conversion's memory).
      this.samples = GrowableInt32.adopting(stacks);
      this.sampleThreads = GrowableInt32.adopting(threads);
      this.rss = rss && GrowableFloat64.adopting(rss);
      this.times = times && GrowableFloat64.adopting(times);
      return;
    }
    this.samples.pushAll(stacks);
    this.sampleThreads.pushAll(threads);
    if (rss) {
      (this.rss ??= new GrowableFloat64()).pushAll(rss);
    }
    if (times) {
      (this.times ??= new GrowableFloat64()).pushAll(times);
    }
  }

  get sampleCount(): number {
    return this.samples.length;
  }

  /** Freezes the profile: frames are sorted and renumbered for deterministic output. */
  build(info: IProfileInfo): IProfile {
    if (this.built) {
      throw new Error('ProfileBuilder.build() called twice');
    }
    this.built = true;
    const order = this.frames.map((_, i) => i).sort((a, b) => compareFrames(this.frames[a], this.frames[b]));
    const newId = new Int32Array(order.length);
    order.forEach((oldId, index) => (newId[oldId] = index));
    const stackFrame = this.nodeFrame.toArray();
    for (let i = 0; i < stackFrame.length; i++) {
      stackFrame[i] = newId[stackFrame[i]];
    }
    const n = this.samples.length;
    const complete = (g: GrowableFloat64 | null) => (g && g.length === n ? g.toArray() : null);
    return Object.freeze({
      frames: Object.freeze(order.map(i => Object.freeze(this.frames[i]))),
      stackFrame,
      stackParent: this.nodeParent.toArray(),
      sampleStack: this.samples.toArray(),
      sampleThread: this.sampleThreads.toArray(),
      threads: Object.freeze(this.threads.slice()),
      sampleRss: complete(this.rss),
      sampleTime: complete(this.times),
      info: Object.freeze({ ...info, warnings: Object.freeze(info.warnings.slice()) })
    });
  }
}

/** Frames of a stack node, outermost first. */
export function framesOf(profile: IProfile, node: number): number[] {
  const out: number[] = [];
  for (let n = node; n >= 0; n = profile.stackParent[n]) {
    out.push(profile.stackFrame[n]);
  }
  return out.reverse();
}
