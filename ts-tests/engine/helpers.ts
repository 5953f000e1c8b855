/** Shared paths and loaders for the engine tests. */

import { execFileSync } from 'child_process';
import { readFileSync, readdirSync } from 'fs';
import { join, resolve } from 'path';
import { readVmprof } from '../../src/formats/vmprof';
import { IProfile } from '../../src/model/profile';

export const ROOT = resolve(__dirname, '../..');
export const PROFILES = join(ROOT, 'test-data/profiles');
export const PYTHON = process.env.VMPROF_PYTHON ?? join(ROOT, '.venv/bin/python');
/** jlpm (JupyterLab's pinned yarn, installed in .venv with JupyterLab) runs package.json scripts: no npm needed. */
export const JLPM = process.env.JLPM ?? join(ROOT, '.venv/bin/jlpm');

/** Runs a package.json script such as `build:converter` in the checkout; throws with its output if it fails. */
export function runPackageScript(script: string): void {
  execFileSync(JLPM, ['run', script], { cwd: ROOT, stdio: 'pipe' });
}

/** Every real profile file in the repo, as paths relative to PROFILES. */
export function allProfiles(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(PROFILES, { withFileTypes: true })) {
    if (!dir.isDirectory()) {
      continue;
    }
    for (const f of readdirSync(join(PROFILES, dir.name))) {
      if (/\.(prof|tsprof)$/.test(f)) {
        out.push(`${dir.name}/${f}`);
      }
    }
  }
  return out.sort();
}

export function bytesOf(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(join(PROFILES, relative)));
}

export function load(relative: string, lines = false): IProfile {
  return readVmprof(bytesOf(relative), { lines });
}

/** Per function label "name|file|line": [self, inclusive], each sample counted once. */
export function functionCounts(profile: IProfile): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const labels = profile.frames.map(f => `${f.name}|${f.file}|${f.line}`);
  for (let i = 0; i < profile.sampleStack.length; i++) {
    const seen = new Set<string>();
    let leaf: string | null = null;
    for (let n = profile.sampleStack[i]; n >= 0; n = profile.stackParent[n]) {
      const key = labels[profile.stackFrame[n]];
      if (leaf === null) {
        leaf = key;
      }
      if (!seen.has(key)) {
        seen.add(key);
        const c = out.get(key) ?? [0, 0];
        c[1]++;
        out.set(key, c);
      }
    }
    if (leaf !== null) {
      out.get(leaf)![0]++;
    }
  }
  return out;
}
