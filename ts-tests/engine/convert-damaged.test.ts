/** The bundled converter on damaged and gzip-compressed profiles: converted, with warnings. */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { PROFILES, ROOT, runPackageScript } from './helpers';

const BUNDLE = join(ROOT, 'jupyterlab_vmprof/converter/vmprof-convert.js');
const dir = mkdtempSync(join(tmpdir(), 'vmprof-damaged-'));
const MIXED = join(PROFILES, 'vmprof-0.6.0/mixed.prof');

beforeAll(() => {
  runPackageScript('build:converter');
});

function run(args: string[]) {
  return spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
}

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('vmprof-convert on damaged files', () => {
  test('damaged in the middle: exit 0, the samples around the damage, one warning naming the byte', () => {
    const bytes = new Uint8Array(readFileSync(MIXED));
    const full = JSON.parse(run([MIXED]).stdout).profile.samples;
    // From a sample's start on (a marker and a count word of 1): damage the reader can see.
    let at = Math.floor(bytes.length / 2);
    while (!(bytes[at] === 1 && bytes[at + 1] === 1 && bytes.subarray(at + 2, at + 9).every(b => b === 0))) {
      at++;
    }
    bytes.fill(0xee, at, at + 40);
    const r = run([write('damaged.prof', bytes)]);
    expect(r.status).toBe(0);
    const samples = JSON.parse(r.stdout).profile.samples;
    expect(samples).toBeLessThan(full);
    expect(samples).toBeGreaterThan(full * 0.95);
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    const [, where] = /damaged at byte (\d+)/.exec(warnings[0])!;
    expect(Number(where)).toBeLessThanOrEqual(at);
    expect(Number(where)).toBeGreaterThan(at - 1000);
  });

  test('gzip-compressed: the same output as the plain file', () => {
    const gz = write('mixed.prof.gz', gzipSync(readFileSync(MIXED)));
    const plain = run([MIXED, '--format', 'collapsed']);
    const packed = run([gz, '--format', 'collapsed']);
    expect(packed.status).toBe(0);
    expect(packed.stderr).toBe('');
    expect(packed.stdout).toBe(plain.stdout);
  });

  test('a cut gzip file: what it holds, with the cut-short warning', () => {
    const packed = gzipSync(readFileSync(MIXED));
    const cut = write('cut.prof.gz', packed.subarray(0, Math.floor(packed.length / 2)));
    const r = run([cut]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: the file is cut short at byte \d+/);
    expect(JSON.parse(r.stdout).profile.samples).toBeGreaterThan(50);
  });

  test('gzip garbage: a corrupt-profile error', () => {
    const bad = write('bad.prof.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const r = run([bad]);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stderr).error.code).toBe('corrupt');
  });
});
