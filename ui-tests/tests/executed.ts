/**
 * A notebook with a real profile output, made as on another machine:
 * `jupyter nbconvert --execute` in a fresh kernel whose profile store is a
 * folder of its own, which is deleted afterwards. Shared by the specs.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..');
export const SOURCE =
  '%%vmprof --lines --name travelled\n' +
  'def travel_work(n):\n' +
  '    total = 0\n' +
  '    for i in range(n):\n' +
  '        total += i % 7\n' +
  '    return total\n' +
  'travel_work(3_000_000)';

/** Execute a one-cell notebook headless, on a store of its own; returns the saved notebook. */
export function executedElsewhere(): any {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprof-travel-'));
  fs.mkdirSync(path.join(work, 'store'));
  const source = path.join(work, 'source.ipynb');
  fs.writeFileSync(
    source,
    JSON.stringify({
      cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: SOURCE, id: 'travel' }],
      metadata: { kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' } },
      nbformat: 4,
      nbformat_minor: 5
    })
  );
  execFileSync(
    path.join(REPO, '.venv', 'bin', 'jupyter'),
    ['nbconvert', '--execute', '--to', 'notebook', '--output', 'executed', source],
    {
      env: {
        ...process.env,
        JUPYTERLAB_VMPROF_STORE: path.join(work, 'store'),
        PYTHONPATH: REPO,
        IPYTHONDIR: path.join(work, 'ipython')
      },
      stdio: 'pipe',
      timeout: 180_000
    }
  );
  const notebook = JSON.parse(fs.readFileSync(path.join(work, 'executed.ipynb'), 'utf8'));
  fs.rmSync(work, { recursive: true, force: true });
  return notebook;
}
