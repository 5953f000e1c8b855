/**
 * KCachegrind's loader on our callgrind files, headless (docs/callgrind.md
 * §2.2): loader errors arrive on stderr as `Loading "FILE" : LINE : "MSG"`
 * within a fraction of a second, so each viewer runs for a few seconds under
 * `timeout` and its stderr must hold no such line. Skipped where kcachegrind
 * or dbus-run-session is missing.
 */
import { spawn } from 'child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { toCallgrind } from '../../src/formats/callgrind';
import { prepareProfile } from '../../src/symbols/prepare';
import { allProfiles, load } from './helpers';

const TOOLS = ['/usr/bin/kcachegrind', '/usr/bin/dbus-run-session', '/usr/bin/timeout'];
const describeIfTools = TOOLS.every(existsSync) ? describe : describe.skip;

function loaderErrors(file: string): Promise<string[]> {
  return new Promise(resolve => {
    const child = spawn('/usr/bin/timeout', ['3', 'dbus-run-session', '--', 'kcachegrind', file], {
      env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' },
      stdio: ['ignore', 'ignore', 'pipe']
    });
    let err = '';
    child.stderr.on('data', d => (err += d));
    child.on('close', () => resolve(err.split('\n').filter(l => l.startsWith('Loading'))));
  });
}

describeIfTools('KCachegrind loads every export without complaint', () => {
  test('all sample profiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmprof-kcg-'));
    const files = allProfiles().map((name, i) => {
      const path = join(dir, `callgrind.out.${i}`);
      writeFileSync(path, toCallgrind(prepareProfile(load(name)), { creator: 'jupyterlab-vmprof test' }));
      return path;
    });
    const bad = join(dir, 'callgrind.out.bad');
    writeFileSync(bad, '# callgrind format\nversion: 1\nevents: Samples\nfn=(1) a\n1 1\ncfn=(9)\ncalls=1 1\n1 1\nx y z\n');
    const results = await Promise.all([...files, bad].map(loaderErrors));
    expect(results[results.length - 1].length).toBeGreaterThan(0); // the check can fail
    expect(results.slice(0, -1)).toEqual(files.map(() => []));
  });
});
