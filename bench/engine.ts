/**
 * Engine benchmark: a ≥1,000,000-sample vmprof file, converted to callgrind
 * and Graph JSON, against vmprof's own Python reader on the same file.
 *
 * Run:  jlpm esbuild bench/engine.ts --bundle --platform=node --outfile=bench/out/engine.js \
 *         && node bench/out/engine.js [SAMPLES]        (SAMPLES default 1000000)
 * Env:  VMPROF_PYTHON (default .venv/bin/python), BENCH_SOURCE (a version-7
 *       0.6.0 profile to replicate; default test-data/profiles/vmprof-0.6.0/mixed.prof).
 *
 * How the big file is made: the source file without its trailer (so all its
 * header, meta and name records stay), then its sample records replicated
 * in order (same stacks and thread ids, fresh timestamps 4 ms apart) until
 * SAMPLES samples, then the trailer. Each measurement runs in a fresh child
 * process under /usr/bin/time, so that its peak RSS is its own.
 */

import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { toCallgrind } from '../src/formats/callgrind';
import { toGraphJSON } from '../src/formats/graph-json';
import { readVmprof } from '../src/formats/vmprof';
import { readVmprofRecords } from '../src/formats/vmprof-records';
import { prepareProfile } from '../src/symbols/prepare';

const ROOT = resolve(__dirname, '../..');
const OUT = join(ROOT, 'bench/out');
const PYTHON = process.env.VMPROF_PYTHON ?? join(ROOT, '.venv/bin/python');
const SOURCE = process.env.BENCH_SOURCE ?? join(ROOT, 'test-data/profiles/vmprof-0.6.0/mixed.prof');

function makeBigProfile(source: Uint8Array, samples: number): Uint8Array {
  const r = readVmprofRecords(source);
  if (r.version !== 7 || r.layout !== 'count-time' || r.wordSize !== 8 || r.mode.memory || r.mode.rpython || r.mode.lines) {
    throw new Error('BENCH_SOURCE must be a vmprof 0.6.0 (version 7) file without memory/lines mode');
  }
  const trailer = 25;
  const body = source.subarray(0, source.length - trailer);
  const records: Uint8Array[] = [];
  let size = body.length + trailer;
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  for (let i = 0; i < samples; i++) {
    const k = i % r.sampleCount;
    const stack = r.sampleStack[k];
    const depth = r.stackDepth[stack];
    const at = r.stackOffset[stack];
    const rec = new Uint8Array(1 + 8 + 8 + depth * 8 + 8 + 8);
    const dv = new DataView(rec.buffer);
    rec[0] = 0x01;
    dv.setBigInt64(1, BigInt(1), true);
    dv.setBigInt64(9, BigInt(depth), true);
    rec.set(source.subarray(at, at + depth * 8), 17);
    dv.setBigInt64(17 + depth * 8, view.getBigInt64(at + depth * 8, true), true); // thread of the stack's first sample
    dv.setBigInt64(25 + depth * 8, BigInt(i) * BigInt(4_000_000), true);
    records.push(rec);
    size += rec.length;
  }
  const out = new Uint8Array(size);
  out.set(body, 0);
  let pos = body.length;
  for (const rec of records) {
    out.set(rec, pos);
    pos += rec.length;
  }
  out.set(source.subarray(source.length - trailer), pos);
  return out;
}

/** Child mode: convert one file, print timings and peak RSS as JSON. */
function measureEngine(file: string): void {
  const t0 = performance.now();
  const buffer = readFileSync(file);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const t1 = performance.now();
  const raw = readVmprof(bytes);
  const t2 = performance.now();
  const profile = prepareProfile(raw);
  const t3 = performance.now();
  const callgrind = toCallgrind(profile, { creator: 'bench' });
  const t4 = performance.now();
  const json = JSON.stringify(toGraphJSON(profile, { creator: 'bench' }));
  const t5 = performance.now();
  const result = {
    samples: raw.sampleStack.length,
    readFileMs: t1 - t0,
    parseMs: t2 - t1,
    prepareMs: t3 - t2,
    callgrindMs: t4 - t3,
    graphJsonMs: t5 - t4,
    totalMs: t5 - t1,
    outputBytes: callgrind.length + json.length,
    peakRssKb: process.resourceUsage().maxRSS
  };
  process.stdout.write(JSON.stringify(result));
}

const PY_BENCH = `
import json, resource, sys, time
import vmprof
t0 = time.perf_counter()
stats = vmprof.read_profile(sys.argv[1])
t1 = time.perf_counter()
tree = stats.get_tree()
t2 = time.perf_counter()
print(json.dumps({"samples": len(stats.profiles), "readMs": (t1 - t0) * 1e3, "treeMs": (t2 - t1) * 1e3,
                  "totalMs": (t2 - t0) * 1e3, "peakRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;

/**
 * Runs a command and returns its stdout and peak RSS in kB. Measured by
 * /usr/bin/time when present: on Linux a child's getrusage maxrss includes
 * what its parent had resident before exec, so the parent cannot measure it.
 */
function runMeasured(cmd: string, args: string[]): { stdout: string; peakRssKb: number | null } {
  const time = '/usr/bin/time';
  const useTime = existsSync(time);
  const r = useTime
    ? spawnSync(time, ['-f', 'maxrss=%M', cmd, ...args], { encoding: 'utf-8', maxBuffer: 1 << 26 })
    : spawnSync(cmd, args, { encoding: 'utf-8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    throw new Error(`${cmd} failed: ${r.stderr}`);
  }
  const m = /maxrss=(\d+)/.exec(r.stderr ?? '');
  return { stdout: r.stdout, peakRssKb: m ? Number(m[1]) : null };
}

function main(): void {
  const [mode, arg1, arg2] = process.argv.slice(2);
  if (mode === '--child') {
    measureEngine(arg1);
    return;
  }
  if (mode === '--make') {
    writeFileSync(arg2, makeBigProfile(new Uint8Array(readFileSync(SOURCE)), Number(arg1)));
    return;
  }
  const samples = Number(mode ?? 1_000_000);
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `big-${samples}.prof`);
  // Made in a child so this process stays small (see runMeasured).
  runMeasured(process.execPath, [__filename, '--make', String(samples), file]);
  const fileBytes = statSync(file).size;
  console.log(`file: ${file} (${(fileBytes / 1e6).toFixed(1)} MB, ${samples} samples added to ${SOURCE})`);

  const engine = runMeasured(process.execPath, [__filename, '--child', file]);
  const ours = JSON.parse(engine.stdout);
  const oursRss = engine.peakRssKb ?? ours.peakRssKb;
  const perSecond = (ms: number) => Math.round(ours.samples / (ms / 1e3)).toLocaleString('en-US');
  console.log(`engine: ${ours.samples} samples; parse ${ours.parseMs.toFixed(0)} ms (${perSecond(ours.parseMs)} samples/s), ` +
    `symbolize+clean ${ours.prepareMs.toFixed(0)} ms, callgrind ${ours.callgrindMs.toFixed(0)} ms, graph JSON ${ours.graphJsonMs.toFixed(0)} ms; ` +
    `total ${ours.totalMs.toFixed(0)} ms (${perSecond(ours.totalMs)} samples/s)`);
  console.log(`engine: peak RSS ${(oursRss / 1024).toFixed(0)} MB = ${((oursRss * 1024) / fileBytes).toFixed(2)} × file size`);

  let py;
  let pyRss: number;
  try {
    const run = runMeasured(PYTHON, ['-c', PY_BENCH, file]);
    py = JSON.parse(run.stdout);
    pyRss = run.peakRssKb ?? py.peakRssKb;
  } catch (err) {
    console.log(`vmprof reader: not run (${(err as Error).message.split('\n')[0]})`);
    return;
  }
  console.log(`vmprof (${PYTHON}): read_profile ${py.readMs.toFixed(0)} ms + get_tree ${py.treeMs.toFixed(0)} ms = ${py.totalMs.toFixed(0)} ms; ` +
    `peak RSS ${(pyRss / 1024).toFixed(0)} MB`);
  console.log(`ratio: engine parse+clean+callgrind+graph JSON is ${(py.totalMs / ours.totalMs).toFixed(1)}× faster than ` +
    `vmprof read_profile+get_tree (parse alone: ${(py.readMs / ours.parseMs).toFixed(1)}× faster than read_profile); ` +
    `peak memory ${(pyRss / oursRss).toFixed(1)}× smaller`);
}

main();
