#!/usr/bin/env node
/**
 * Regenerates the Graph JSON fixtures of the view tests (ts-tests/views) from the
 * real vmprof files in test-data/profiles, with the bundled converter, so
 * the views are tested on what the server really sends.
 *
 *     jlpm build:converter && node test-data/graphs/generate.js
 *
 * Each fixture is the converter's output unchanged. The `.maps` files let
 * the converter name native frames; on a machine without the libraries they
 * name, frames stay `<native symbol 0x…>` (still valid fixtures, fewer names).
 */
'use strict';
const { execFileSync } = require('child_process');
const { existsSync, writeFileSync } = require('fs');
const { join } = require('path');

const ROOT = join(__dirname, '..', '..');
const PROFILES = join(ROOT, 'test-data', 'profiles');
const CONVERTER = join(ROOT, 'jupyterlab_vmprof', 'converter', 'vmprof-convert.js');

/** [fixture name, profile under test-data/profiles, extra converter options]. */
const FIXTURES = [
  // lines + memory, CPU-time axis, deep recursion (fib), one thread 'main'
  ['lines_memory', 'vmprof-0.6.0/lines_memory.prof', []],
  // the same with line-level frames (--lines): one frame per (function, line)
  ['lines_memory.line-frames', 'vmprof-0.6.0/lines_memory.prof', ['--lines']],
  // two threads, neither runs <module>: 'thread 1', 'thread 2'
  ['threads', 'vmprof-0.6.0/threads.prof', []],
  // the same, one thread selected (profile.thread set; timeline still all threads)
  ['threads.thread-2', 'vmprof-0.6.0/threads.prof', ['--thread', '94521454780912']],
  // real-time mode: wall-clock axis
  ['threads_realtime', 'vmprof-0.6.0/threads_realtime.prof', []],
  // numpy / BLAS native frames
  ['numpy_work', 'vmprof-0.6.0/numpy_work.prof', []],
  // vmprof 0.4.18 file without timestamps: sample-order axis
  ['mixed-0.4.18', 'generated/mixed.prof', []],
  // version 6, lines + memory + native, no timestamps
  ['vmprof_cpuburn', 'third-party/vmprof_cpuburn.prof', []],
  // version 7 with the fork's timestamps (wall clock)
  ['cpuburn.cpython', 'third-party/cpuburn.cpython.tsprof', []]
];

if (!existsSync(CONVERTER)) {
  console.error(`${CONVERTER} is missing: run "jlpm build:converter" first`);
  process.exit(1);
}
for (const [name, profile, options] of FIXTURES) {
  const path = join(PROFILES, profile);
  const maps = path.replace(/\.(prof|tsprof)$/, '.maps');
  const args = [CONVERTER, path, '--format', 'json', ...options];
  if (existsSync(maps)) {
    args.push('--maps', maps);
  }
  const json = execFileSync(process.execPath, args, { maxBuffer: 64 << 20 }).toString();
  // Parse and re-print: fails loudly on bad output, and makes diffs line-based.
  const graph = JSON.parse(json);
  writeFileSync(join(__dirname, `${name}.json`), JSON.stringify(graph, null, 1) + '\n');
  console.log(`${name}.json: ${graph.profile.samples} samples, ${graph.frames.length} frames`);
}
