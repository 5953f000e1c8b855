/**
 * KCachegrind's loader on our callgrind files, headless (docs/callgrind.md
 * §2.2): loader errors arrive on stderr as `Loading "FILE" : LINE : "MSG"`
 * as each file is loaded; one viewer loads every export, then a broken
 * control file, and its stderr must hold no such line but the control's. Skipped where kcachegrind
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

/**
 * One KCachegrind loads `files` in order (one window each) and prints its
 * loader errors. The last file is a broken control: once its errors appear,
 * every file before it has been loaded, however slow the machine is, and the
 * viewer is stopped. Resolves with the `Loading …` lines.
 */
function loaderErrors(files: string[], control: string): Promise<string[]> {
  return new Promise(resolve => {
    const child = spawn('/usr/bin/timeout', ['120', 'dbus-run-session', '--', 'kcachegrind', ...files, control], {
      env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' },
      stdio: ['ignore', 'ignore', 'pipe']
    });
    let err = '';
    let stopping = false;
    child.stderr.on('data', d => {
      err += d;
      if (!stopping && err.includes(`Loading "${control}"`)) {
        stopping = true; // the control's lines come together: give them a moment, then stop
        setTimeout(() => child.kill('SIGTERM'), 1000);
      }
    });
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
    const lines = await loaderErrors(files, bad);
    expect(lines.filter(l => l.includes(bad)).length).toBeGreaterThan(0); // the check can fail
    expect(lines.filter(l => !l.includes(bad))).toEqual([]);
  }, 150_000);
});
