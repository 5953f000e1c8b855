/**
 * Headless profiling of a notebook: the command-line parsing (pure) and a
 * real run of a small notebook against ipykernel and the %%vmprof magic.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

import {
  codeToRun,
  formatCellSummary,
  parseCommandLine,
  runNotebook
} from '../support/kernel-client/run-notebook';
import { makeTempDir, PYTHON } from './helpers';

const ID_PATTERN = /[0-9]{8}T[0-9]{6}-[0-9a-f]{8}/;

describe('run-notebook command line', () => {
  it('reads the notebook and the options', () => {
    expect(
      parseCommandLine(['nb.ipynb', '--profile-all', '--python', 'py', '--timeout', '5', '-o', 'out.ipynb'])
    ).toEqual({
      options: {
        notebookPath: 'nb.ipynb',
        profileAll: true,
        python: 'py',
        cellTimeoutMs: 5000,
        outputPath: 'out.ipynb'
      },
      usageError: null
    });
  });

  it('explains what is wrong with a bad command line', () => {
    expect(parseCommandLine([]).usageError).toBe('no notebook given');
    expect(parseCommandLine(['nb.ipynb', '--python']).usageError).toBe('--python needs a value');
    expect(parseCommandLine(['nb.ipynb', '--frobnicate']).usageError).toContain('--frobnicate');
    expect(parseCommandLine(['nb.ipynb', '--timeout', 'soon']).usageError).toContain('--timeout');
  });

  it('profiles every code cell with --profile-all, leaving %% cells alone', () => {
    expect(codeToRun('x = 1\n', 3, true)).toBe('%%vmprof --name cell-3\nx = 1\n');
    expect(codeToRun('x = 1\n', 3, false)).toBe('x = 1\n');
    expect(codeToRun('%%vmprof --period 0.002\nx = 1', 3, true)).toBe('%%vmprof --period 0.002\nx = 1');
    expect(codeToRun('%%bash\nls', 3, true)).toBe('%%bash\nls');
  });

  it('prints one line per cell with the profile id and status', () => {
    expect(
      formatCellSummary({
        cellNumber: 2,
        status: 'ok',
        error: null,
        profile: { id: '20261125T101500-0a1b2c3d', status: 'complete', samples: 120, durationS: 0.6 }
      })
    ).toBe('cell 2: ok, profile 20261125T101500-0a1b2c3d complete (0.60 s, 120 samples)');
    expect(
      formatCellSummary({ cellNumber: 4, status: 'error', error: 'ValueError: bad', profile: null })
    ).toBe('cell 4: error ValueError: bad');
  });
});

function notebookWith(cells: Array<[cellType: string, source: string]>): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map(([cellType, source]) => ({
      cell_type: cellType,
      metadata: {},
      source: source.split(/(?<=\n)/),
      ...(cellType === 'code' ? { outputs: [], execution_count: null } : {})
    }))
  });
}

describe('running a notebook headlessly', () => {
  let folder: string;
  let store: string;

  beforeEach(async () => {
    folder = await makeTempDir('vmprof-notebook-');
    store = join(folder, 'store');
  });

  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  async function run(cells: Array<[string, string]>, profileAll: boolean) {
    const notebookPath = join(folder, 'work.ipynb');
    await fs.writeFile(notebookPath, notebookWith(cells));
    const lines: string[] = [];
    const summary = await runNotebook({
      notebookPath,
      python: PYTHON,
      profileAll,
      outputPath: join(folder, 'executed.ipynb'),
      env: { JUPYTERLAB_VMPROF_STORE: store },
      log: line => lines.push(line)
    });
    return { summary, lines };
  }

  const busyLoop = 'import time\nt = time.perf_counter()\nwhile time.perf_counter() - t < 0.2:\n    sum(range(1000))\n';

  it('profiles the %%vmprof cells and reports each code cell', async () => {
    const { summary, lines } = await run(
      [
        ['markdown', '# A notebook'],
        ['code', 'n = 3\n'],
        ['code', `%%vmprof\n${busyLoop}`]
      ],
      false
    );
    expect(summary.failed).toBe(false);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('cell 2: ok');
    expect(lines[1]).toMatch(new RegExp(`^cell 3: ok, profile ${ID_PATTERN.source} complete`));
    const executed = JSON.parse(await fs.readFile(join(folder, 'executed.ipynb'), 'utf8'));
    expect(executed.cells[2].outputs.length).toBeGreaterThan(0);
  });

  it('profiles every code cell with --profile-all, naming the profiles by cell', async () => {
    const { summary } = await run([['code', busyLoop], ['code', busyLoop]], true);
    expect(summary.cells.map(cell => cell.profile?.status)).toEqual(['complete', 'complete']);
    const names = await Promise.all(
      summary.cells.map(async cell => {
        const meta = JSON.parse(await fs.readFile(join(store, cell.profile?.id ?? '', 'meta.json'), 'utf8'));
        return meta.name;
      })
    );
    expect(names).toEqual(['cell-1', 'cell-2']);
    // The profile list can filter by notebook: the kernel was told which one it runs.
    const meta = JSON.parse(await fs.readFile(join(store, summary.cells[0].profile?.id ?? '', 'meta.json'), 'utf8'));
    expect(meta.notebook).toBe(join(folder, 'work.ipynb'));
  });

  it('stops at a failing cell and reports the failure', async () => {
    const { summary, lines } = await run(
      [
        ['code', 'raise ValueError("bad input")\n'],
        ['code', 'print("not reached")\n']
      ],
      false
    );
    expect(summary.failed).toBe(true);
    expect(lines).toEqual(['cell 1: error ValueError: bad input']);
  });

  it('reports a profiled cell that raised as failed, with its failed profile', async () => {
    const { summary, lines } = await run([['code', 'raise ValueError("bad input")\n']], true);
    expect(summary.failed).toBe(true);
    expect(lines[0]).toMatch(
      new RegExp(`^cell 1: error ValueError: bad input, profile ${ID_PATTERN.source} failed`)
    );
  });
});
