/** The bundled converter, run as the server runs it: node vmprof-convert.js PROFILE [options]. */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PROFILES, ROOT, runPackageScript } from './helpers';

const BUNDLE = join(ROOT, 'jupyterlab_vmprof/converter/vmprof-convert.js');
const dir = mkdtempSync(join(tmpdir(), 'vmprof-cli-'));

beforeAll(() => {
  runPackageScript('build:converter');
});

function run(args: string[]) {
  return spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
}

const MIXED = join(PROFILES, 'vmprof-0.6.0/mixed.prof');

describe('vmprof-convert', () => {
  test('default: Graph JSON on stdout, exit 0, no stderr', () => {
    const r = run([MIXED]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const g = JSON.parse(r.stdout);
    expect(g.format).toBe('jupyterlab-vmprof-graph');
    expect(g.creator).toMatch(/^jupyterlab-vmprof \d/);
    expect(g.profile.samples).toBeGreaterThan(500);
  });

  test.each(['callgrind', 'collapsed', 'speedscope', 'json'])('--format %s -o FILE', format => {
    const out = join(dir, `out.${format}`);
    const r = run([MIXED, '--format', format, '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf-8').length).toBeGreaterThan(100);
  });

  test('--thread (decimal or hex), --no-strip, --no-collapse-dispatcher, --lines', () => {
    const threads = join(PROFILES, 'vmprof-0.6.0/threads.prof');
    const all = JSON.parse(run([threads]).stdout);
    const id = all.profile.threads[0].id;
    const one = JSON.parse(run([threads, '--thread', `0x${BigInt(id).toString(16)}`, '--no-strip', '--no-collapse-dispatcher']).stdout);
    expect(one.profile.thread).toBe(id);
    expect(one.profile.samples).toBe(all.profile.threads[0].samples);
    const lines = JSON.parse(run([join(PROFILES, 'vmprof-0.6.0/lines_memory.prof'), '--lines']).stdout);
    expect(lines.frames.filter((f: { name: string }) => f.name === 'fib').length).toBeGreaterThan(1);
  });

  test('truncated file: output plus warning lines on stderr', () => {
    const cut = join(dir, 'cut.prof');
    writeFileSync(cut, readFileSync(MIXED).subarray(0, 20000));
    const r = run([cut, '--format', 'collapsed']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: the file is cut short/);
    expect(r.stderr.trim().split('\n').every(l => l.startsWith('warning: '))).toBe(true);
  });

  test('errors: one JSON line on stderr, exit 2', () => {
    const cases: Array<[string[], string]> = [
      [[join(dir, 'missing.prof')], 'io'],
      [[], 'usage'],
      [[MIXED, '--format', 'pdf'], 'usage'],
      [[MIXED, '--thread', '12345'], 'usage'],
      [[join(ROOT, 'package.json')], 'corrupt']
    ];
    writeFileSync(join(dir, 'short.prof'), readFileSync(MIXED).subarray(0, 30));
    cases.push([[join(dir, 'short.prof')], 'truncated']);
    for (const [args, code] of cases) {
      const r = run(args);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length).toBe(1);
      const e = JSON.parse(lines[0]).error;
      expect(e.code).toBe(code);
      expect(typeof e.message).toBe('string');
      expect(e.offset === null || typeof e.offset === 'number').toBe(true);
    }
  });

  test('--maps names native frames from ELF symbol tables (when the libraries are here)', () => {
    // The recorded maps name the checkout as /src/jupyterlab-vmprof (test-data/profiles/
    // vmprof-0.6.0/README.md): point them at this checkout, whose .venv holds numpy.
    const maps = join(dir, 'numpy_work.maps');
    const recorded = readFileSync(join(PROFILES, 'vmprof-0.6.0/numpy_work.maps'), 'utf-8');
    writeFileSync(maps, recorded.split('/src/jupyterlab-vmprof/').join(ROOT + '/'));
    const libs = readFileSync(maps, 'utf-8')
      .split('\n')
      .map(l => l.split(/\s+/)[5])
      .filter(p => p && (p.includes('libpython') || p.includes('openblas')));
    if (libs.length < 2 || !libs.every(lib => existsSync(lib))) {
      return; // the libraries of the profiled process are not on this machine
    }
    const profile = join(PROFILES, 'vmprof-0.6.0/numpy_work.prof');
    const count = (args: string[]) =>
      JSON.parse(run([profile, '--no-strip', ...args]).stdout).frames.filter((f: { name: string }) => f.name.startsWith('<native symbol')).length;
    const before = count([]);
    const after = count(['--maps', maps]);
    expect(before).toBeGreaterThan(0);
    expect(after).toBeLessThan(before / 2);
  });

  test('--perf-map and --jit-symbols are read', () => {
    const map = join(dir, 'perf-1.map');
    // Name one unnamed native frame of the file as if it were JIT code.
    const unnamed = JSON.parse(run([MIXED]).stdout).frames.find((f: { name: string }) => f.name.startsWith('<native symbol'));
    const start = (BigInt(unnamed.name.slice(15, -1)) - BigInt(1)).toString(16);
    writeFileSync(map, `${start} 10 jitted_thing\nbad line\n`);
    const syms = join(dir, 'jit-symbols.json');
    const fib = JSON.parse(run([MIXED]).stdout).frames.find((f: { name: string }) => f.name === 'fib');
    writeFileSync(syms, JSON.stringify([{ start: 0, size: 0, name: 'fib', file: fib.file, line: fib.line, kind: 'trampoline' }]));
    const r = run([MIXED, '--perf-map', map, '--jit-symbols', syms]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: .*perf-1.map: 1 lines/);
    const g = JSON.parse(r.stdout);
    const names = g.frames.map((f: { name: string; kind: string }) => `${f.kind}:${f.name}`);
    expect(names).toContain('jit:jitted_thing');
    expect(names).toContain('jit:fib');
  });
});
