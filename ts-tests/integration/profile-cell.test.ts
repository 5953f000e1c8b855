/**
 * End to end, as a user would check it: a %%vmprof cell run in a real
 * ipykernel shows our MIME bundle, leaves a complete profile in the store,
 * and the bundled converter finds the profiled function in it.
 */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { IDisplayDataOutput, IExecuteResult, KernelClient } from '../support/kernel-client/kernel-client';
import { findProfile, PROFILE_MIME } from '../support/kernel-client/run-notebook';
import { makeTempDir, PYTHON, REPO_ROOT } from './helpers';

const CONVERTER = join(REPO_ROOT, 'jupyterlab_vmprof', 'converter', 'vmprof-convert.js');
const ID_PATTERN = /^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$/;

/** About half a second of recursive work, however fast the machine. */
const FIB_CELL = `%%vmprof
import time

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

started = time.perf_counter()
while time.perf_counter() - started < 0.6:
    fib(20)
`;

function profileDisplay(result: IExecuteResult): IDisplayDataOutput | undefined {
  return result.outputs.find(
    (output): output is IDisplayDataOutput =>
      output.output_type === 'display_data' && PROFILE_MIME in output.data
  );
}

describe('profiling a cell with %%vmprof', () => {
  let store: string;
  let kernel: KernelClient;
  let result: IExecuteResult;
  /** The id the cell's bundle announced ('' if none, which the first test reports). */
  let profileId = '';

  beforeAll(async () => {
    store = await makeTempDir('vmprof-store-');
    kernel = await KernelClient.start({
      python: PYTHON,
      env: { JUPYTERLAB_VMPROF_STORE: store }
    });
    const loaded = await kernel.execute('%load_ext jupyterlab_vmprof');
    expect(loaded.error).toBeUndefined();
    result = await kernel.execute(FIB_CELL, { timeoutMs: 60_000 });
    profileId = findProfile(result.outputs)?.id ?? '';
  });

  afterAll(async () => {
    await kernel?.shutdown();
    if (store) {
      await fs.rm(store, { recursive: true, force: true });
    }
  });

  it('shows a profile bundle with our MIME type and text and HTML fallbacks', () => {
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('ok');
    const display = profileDisplay(result);
    expect(display).toBeDefined();
    const bundle = display?.data[PROFILE_MIME];
    expect(bundle).toMatchObject({ status: 'complete', version: 1 });
    expect(profileId).toMatch(ID_PATTERN);
    expect(String(display?.data['text/plain'])).toContain(profileId);
    expect(typeof display?.data['text/html']).toBe('string');
  });

  it('stores the profile: complete metadata and a non-empty raw profile', async () => {
    expect(profileId).toMatch(ID_PATTERN);
    const folder = join(store, profileId);
    const meta = JSON.parse(await fs.readFile(join(folder, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ id: profileId, status: 'complete', store_format: 1 });
    expect(meta.cell).toContain('def fib');
    const raw = await fs.stat(join(folder, 'profile.prof'));
    expect(raw.size).toBeGreaterThan(0);
  });

  it('converts with the bundled converter into a graph that has samples and fib', async () => {
    expect(profileId).toMatch(ID_PATTERN);
    expect(existsSync(CONVERTER)).toBe(true); // built by `jlpm build:converter`
    const { stdout } = await promisify(execFile)(
      'node',
      [CONVERTER, join(store, profileId, 'profile.prof'), '--format', 'json'],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }
    );
    const graph = JSON.parse(stdout);
    expect(graph.profile.samples).toBeGreaterThan(0);
    const names = (graph.frames as Array<{ name: string }>).map(frame => frame.name);
    expect(names).toContain('fib');
  });
});
