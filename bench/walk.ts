/**
 * The vmprof reader's per-sample walk against a bare loop over the same bytes.
 *
 * Run:  jlpm bench:walk FILE [ROUNDS]          (ROUNDS default 9)
 *
 * FILE is a version-7 profile of 8-byte words without memory or lines mode,
 * e.g. one written by bench/stack_shapes.py. Per round, interleaved in one
 * process so both see the same machine: the bare loop, which walks every
 * sample record and reads every word of it (count, depth, each stack entry,
 * thread, time) into a checksum and nothing else; then readVmprofRecords, the
 * real record walk (header, names, interning each sample's stack, the sample
 * table). Prints the min and median CPU time of each (user + system, which a
 * busy machine inflates less than wall time) and the ratio of the medians.
 * The first round warms up the JIT and is left out.
 */

import { readFileSync } from 'fs';
import { readVmprofRecords } from '../src/formats/vmprof-records';

const MARKER_STACKTRACE = 1;

/** Reads every word of every sample record from `first` on; returns a checksum so the reads cannot be dropped. */
function bareWalk(view: DataView, first: number): number {
  let pos = first;
  let sum = 0;
  while (pos < view.byteLength && view.getUint8(pos) === MARKER_STACKTRACE) {
    pos += 1;
    sum ^= view.getInt32(pos, true); // count
    const depth = view.getInt32(pos + 8, true);
    pos += 16;
    const end = pos + depth * 8;
    for (; pos < end; pos += 4) {
      sum = (sum + view.getInt32(pos, true)) | 0;
    }
    sum ^= view.getInt32(pos, true) ^ view.getInt32(pos + 8, true); // thread, time
    pos += 16;
  }
  return sum;
}

/** CPU milliseconds (user + system) of `fn`: steadier than wall time on a shared machine. */
function timed(fn: () => unknown): number {
  const t0 = process.cpuUsage();
  fn();
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / 1e3;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function main(): void {
  const [file, roundsText] = process.argv.slice(2);
  if (!file) {
    throw new Error('usage: walk.js FILE [ROUNDS]');
  }
  const rounds = Number(roundsText ?? 9);
  const buffer = readFileSync(file);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records = readVmprofRecords(bytes);
  if (
    records.version !== 7 ||
    records.wordSize !== 8 ||
    records.layout !== 'count-time' ||
    records.mode.memory ||
    records.mode.lines
  ) {
    throw new Error('FILE must be a version-7 profile with 8-byte words, without memory or lines mode');
  }
  const first = records.sampleOffset[0];
  const bare: number[] = [];
  const real: number[] = [];
  let check = 0;
  for (let round = 0; round <= rounds; round++) {
    const b = timed(() => (check = bareWalk(view, first)));
    const r = timed(() => readVmprofRecords(bytes));
    if (round > 0) {
      bare.push(b);
      real.push(r);
    }
  }
  const stats = (xs: number[]) => `min ${Math.min(...xs).toFixed(1)} ms, median ${median(xs).toFixed(1)} ms`;
  console.log(`${file}: ${records.sampleCount} samples, ${records.stackCount} distinct stacks (checksum ${check})`);
  console.log(`bare walk:         ${stats(bare)}`);
  console.log(`readVmprofRecords: ${stats(real)}`);
  console.log(
    `ratio of medians: ${(median(real) / median(bare)).toFixed(2)}x; of mins: ${(Math.min(...real) / Math.min(...bare)).toFixed(2)}x`
  );
}

main();
