/**
 * Oracle: for every profile vmprof's own reader (the installed vmprof,
 * 0.6.0 here) can read, our per-function self and inclusive sample counts
 * must equal the ones computed from its Stats.profiles (see oracle.py for
 * why raw counts and not 0.6.0's timestamp weights).
 * Set VMPROF_PYTHON to the python that has vmprof; the default is .venv/bin/python.
 */

import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { PROFILES, PYTHON, allProfiles, functionCounts, load } from './helpers';

/** Files vmprof's reader cannot read, and why. */
const UNREADABLE_BY_VMPROF: Record<string, string> = {
  // The fork's version-7 layout puts a double where 0.6.0 expects count == 1.
  'third-party/cpuburn.cpython.tsprof': 'AssertionError'
};

const havePython = existsSync(PYTHON);
const describeIfPython = havePython ? describe : describe.skip;

describeIfPython('per-function counts equal vmprof read_profile', () => {
  for (const file of allProfiles()) {
    test(file, () => {
      const out = execFileSync(PYTHON, [join(__dirname, 'oracle.py'), join(PROFILES, file)], {
        encoding: 'utf-8',
        maxBuffer: 64 * 1024 * 1024
      });
      const oracle = JSON.parse(out);
      if (oracle.error !== undefined) {
        expect(UNREADABLE_BY_VMPROF[file]).toBeDefined();
        expect(oracle.error).toContain(UNREADABLE_BY_VMPROF[file]);
        return;
      }
      expect(UNREADABLE_BY_VMPROF[file]).toBeUndefined();
      const profile = load(file);
      expect(profile.sampleStack.length).toBe(oracle.samples);
      const ours = Object.fromEntries(functionCounts(profile));
      expect(ours).toEqual(oracle.functions);
    });
  }
});

if (!havePython) {
  test.skip(`oracle skipped: no python at ${PYTHON} (set VMPROF_PYTHON)`, () => undefined);
}
