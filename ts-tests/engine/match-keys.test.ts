/**
 * Matching functions across processes (src/symbols/match-keys.ts): the keys
 * on paths as real machines write them, then two real vmprof profiles of
 * one numpy workload made by two Python processes in two temporary folders
 * (diff_workload.py), compared by the converter bundle with --diff. Skips
 * only when python, numpy or vmprof is missing.
 */
import { execFileSync, spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { IDiffJSON } from '../../src/model/diff-json';
import type { IFrame } from '../../src/model/profile';
import { libraryName, matchFunction, sourceFileKey, UNNAMED_NATIVE } from '../../src/symbols/match-keys';
import { PYTHON, ROOT } from './helpers';

const BUNDLE = join(ROOT, 'jupyterlab_vmprof/converter/vmprof-convert.js');
const frame = (name: string, file: string, kind: IFrame['kind'], line = 0): IFrame => ({ name, file, kind, line });

describe('match keys', () => {
  test('native code: library base name and symbol, whatever the folder or build hash', () => {
    const venv = frame(
      'dgemm_nn',
      '/home/u/.venv/lib/python3.11/site-packages/numpy.libs/libscipy_openblas64_-32a4b2a6.so',
      'native'
    );
    const other = frame(
      'dgemm_nn',
      '/opt/conda/lib/python3.12/site-packages/numpy.libs/libscipy_openblas64_-99ab01cd.so',
      'native'
    );
    expect(matchFunction(venv)).toEqual(matchFunction(other));
    expect(matchFunction(venv)).toMatchObject({ name: 'dgemm_nn', library: 'libscipy_openblas64_.so' });
    // Another library's function of the same name is another function.
    expect(matchFunction(frame('dgemm_nn', '/usr/lib/libblas.so.3', 'native')).key).not.toBe(matchFunction(venv).key);
    expect(libraryName('/usr/lib/x86_64-linux-gnu/libopenblas.so.0')).toBe('libopenblas.so.0');
  });

  test('native code without a symbol: never keyed by its address', () => {
    const a = matchFunction(frame('<native symbol 0x7f2433914191>', '/usr/lib/libc.so.6', 'native'));
    const b = matchFunction(frame('<native symbol 0x7f21fcc71f37>', '/lib/libc.so.6', 'native'));
    expect(a).toEqual(b);
    expect(a.name).toBe(UNNAMED_NATIVE);
    expect(a.key).not.toContain('0x');
  });

  test('Python: cells and temporary folders by what stays; line is not in the key', () => {
    expect(sourceFileKey('/tmp/ipykernel_12345/3456789012.py')).toBe(sourceFileKey('/tmp/ipykernel_999/1111.py'));
    expect(sourceFileKey('/tmp/tmpab12_cde/work.py')).toBe(sourceFileKey('/var/tmp/tmpzz99yy/work.py'));
    expect(sourceFileKey('/home/u/project/work.py')).toBe('/home/u/project/work.py');
    const before = matchFunction(frame('work', '/tmp/ipykernel_1/a.py', 'python', 3));
    const after = matchFunction(frame('work', '/tmp/ipykernel_2/b.py', 'python', 5));
    expect(after.key).toBe(before.key);
    // Same name in two real files: two functions.
    expect(matchFunction(frame('run', '/srv/a.py', 'python')).key).not.toBe(
      matchFunction(frame('run', '/srv/b.py', 'python')).key
    );
  });

  test('JIT code by name; kinds never mix', () => {
    expect(matchFunction(frame('f$241', 'perf-1.map', 'jit')).key).toBe(
      matchFunction(frame('f$241', 'perf-2.map', 'jit')).key
    );
    expect(matchFunction(frame('f', 'x.py', 'python')).key).not.toBe(matchFunction(frame('f', 'x.py', 'jit')).key);
  });
});

function missing(): string | null {
  if (!existsSync(PYTHON) || !existsSync(BUNDLE)) {
    return `no python at ${PYTHON} or no converter bundle`;
  }
  const r = spawnSync(PYTHON, ['-c', 'import numpy, vmprof'], { encoding: 'utf-8' });
  return r.status === 0 ? null : `python cannot import numpy/vmprof: ${r.stderr.trim().split('\n').pop()}`;
}

const describeIfVmprof = missing() === null ? describe : describe.skip;

describeIfVmprof('two processes, one workload: the comparison lines up', () => {
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'vmprof-match-')));
  let diff: IDiffJSON;

  beforeAll(() => {
    for (const dir of dirs) {
      copyFileSync(join(__dirname, 'diff_workload.py'), join(dir, 'diff_workload.py'));
      execFileSync(PYTHON, [join(dir, 'diff_workload.py'), dir], {
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
        encoding: 'utf-8'
      });
    }
    const [a, b] = dirs;
    const out = execFileSync(
      process.execPath,
      [
        BUNDLE,
        join(a, 'profile.prof'),
        '--maps',
        join(a, 'maps.txt'),
        '--diff',
        join(b, 'profile.prof'),
        '--diff-maps',
        join(b, 'maps.txt')
      ],
      { encoding: 'utf-8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }
    );
    diff = JSON.parse(out) as IDiffJSON;
  }, 120_000);

  afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true, force: true })));

  test('the OpenBLAS functions are one function each, by library and symbol, in both', () => {
    const blas = diff.functions.filter(f => f.kind === 'native' && /openblas/.test(f.library ?? ''));
    expect(blas.length).toBeGreaterThan(0);
    const busiest = blas.reduce((x, y) => (y.selfA + y.selfB > x.selfA + x.selfB ? y : x));
    expect(busiest.lineA).not.toBeNull();
    expect(busiest.lineB).not.toBeNull();
    // Sampled in both runs. Not how much: OpenBLAS's hand-written assembly kernels carry no
    // unwind information on some CPUs (an AMD EPYC here: dgemm_kernel_HASWELL), and there
    // vmprof drops the native part of each sample taken inside them, so the BLAS share is
    // 5-10 % on one machine and over 30 % on another (docs/vmprof-format.md).
    expect(busiest.selfA).toBeGreaterThan(0);
    expect(busiest.selfB).toBeGreaterThan(0);
    expect(busiest.library).not.toMatch(/[/\\]|-[0-9a-f]{8}\.so/);
  });

  test('no function is named or keyed by an address; Python functions match across folders', () => {
    expect(diff.functions.filter(f => /0x[0-9a-f]{6,}/.test(f.name))).toEqual([]);
    const multiply = diff.functions.filter(f => f.name === 'multiply' && f.kind === 'python');
    expect(multiply).toHaveLength(1);
    expect(multiply[0].totalFractionA).toBeGreaterThan(0.5);
    expect(multiply[0].totalFractionB).toBeGreaterThan(0.5);
    // Every function both runs sampled much is in both: nothing big is "new" or "gone".
    const big = diff.functions.filter(f => f.totalFractionA > 0.2 || f.totalFractionB > 0.2);
    expect(big.length).toBeGreaterThan(3);
    expect(big.filter(f => f.lineA === null || f.lineB === null)).toEqual([]);
  });

  test('the merged tree: one root, both profiles in it, and every level adds up', () => {
    const tree = diff.tree!;
    expect(tree.totalA[0]).toBe(diff.a.samples);
    expect(tree.totalB[0]).toBe(diff.b.samples);
    const childSums = { A: new Array(tree.parent.length).fill(0), B: new Array(tree.parent.length).fill(0) };
    tree.parent.forEach((p, n) => {
      if (p >= 0) {
        childSums.A[p] += tree.totalA[n];
        childSums.B[p] += tree.totalB[n];
      }
    });
    tree.parent.forEach((_, n) => {
      expect(tree.selfA[n] + childSums.A[n]).toBe(tree.totalA[n]);
      expect(tree.selfB[n] + childSums.B[n]).toBe(tree.totalB[n]);
    });
    const multiply = diff.functions.findIndex(f => f.name === 'multiply');
    const nodes = tree.fn.map((fn, n) => (fn === multiply ? n : -1)).filter(n => n >= 0);
    expect(nodes.some(n => tree.totalA[n] > 0 && tree.totalB[n] > 0)).toBe(true);
  });
});
