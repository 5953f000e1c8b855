/**
 * The same outputs in Notebook 7 (`jupyter notebook`) as in JupyterLab: a
 * saved profile output draws from its copy where the store lacks it, and a
 * cell run there draws from the server's store. Notebook 7 runs on its own
 * server here (the JupyterLab of the other specs does not serve /notebooks),
 * started the way start-lab.sh starts JupyterLab: fresh store, this tree's
 * package, a snapshot of the built labextension.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expect, test } from '@playwright/test';
import { executedElsewhere, REPO } from './executed';
import { collectDialogs } from './helpers';

const TOKEN = 'vmprof-notebook7-token';
const JUPYTER = path.join(REPO, '.venv', 'bin', 'jupyter');

function freePort(): number {
  const script = 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])';
  return Number(execFileSync('python3', ['-c', script]).toString().trim());
}

let server: ChildProcess | null = null;
let work = '';
let base = '';

test.beforeAll(async () => {
  test.skip(!fs.existsSync(path.join(REPO, '.venv', 'bin', 'jupyter-notebook')), 'notebook 7 is not installed');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprof-nb7-'));
  for (const dir of ['root', 'store', 'settings', 'jupyter/labextensions']) {
    fs.mkdirSync(path.join(work, dir), { recursive: true });
  }
  fs.cpSync(path.join(REPO, 'jupyterlab_vmprof', 'labextension'), path.join(work, 'jupyter/labextensions/jupyterlab-vmprof'), {
    recursive: true,
    dereference: true
  });
  fs.writeFileSync(path.join(work, 'root', 'travelled.ipynb'), JSON.stringify(executedElsewhere()));
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    JUPYTER,
    [
      'notebook',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${TOKEN}`,
      '--allow-root',
      `--ServerApp.root_dir=${path.join(work, 'root')}`
    ],
    {
      env: {
        ...process.env,
        PATH: `${path.join(REPO, '.venv', 'bin')}:${process.env.PATH}`,
        PYTHONPATH: REPO,
        JUPYTERLAB_VMPROF_STORE: path.join(work, 'store'),
        JUPYTERLAB_SETTINGS_DIR: path.join(work, 'settings'),
        JUPYTER_PATH: path.join(work, 'jupyter')
      },
      stdio: 'ignore'
    }
  );
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/api`)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error('jupyter notebook did not start');
});

test.afterAll(() => {
  server?.kill();
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('profile outputs render in Notebook 7, from the saved copy and from the store', async ({ page }, testInfo) => {
  const dialogs = collectDialogs(page);
  await page.goto(`${base}/notebooks/travelled.ipynb?token=${TOKEN}`);
  const output = page.locator('.jp-vmprof-profile').first();
  // The saved output: this server's store never had it.
  await expect(output.locator('.jp-vmprof-copy-bar')).toBeVisible({ timeout: 120_000 });
  await expect(output.locator('.js-plotly-plot').first()).toBeVisible({ timeout: 120_000 });
  await expect(output.locator('.jp-vmprof-flame g.slice').first()).toBeVisible();
  await output.getByRole('button', { name: 'Table' }).click();
  await expect(output.locator('td.jp-vmprof-name', { hasText: 'travel_work' }).first()).toBeVisible();
  await output.screenshot({ path: testInfo.outputPath('notebook7-from-copy.png') });
  const savedId = await output.getAttribute('data-profile-id');

  // Run the cell here: a new profile, drawn from this server's store.
  await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first()).toBeVisible({
    timeout: 120_000
  });
  await page.locator('.jp-CodeCell .jp-InputArea-editor').first().click();
  await page.keyboard.press('Shift+Enter');
  const fresh = page.locator('.jp-vmprof-profile').first();
  await expect(fresh).not.toHaveAttribute('data-profile-id', savedId ?? '', { timeout: 180_000 });
  await expect(fresh.locator('.js-plotly-plot').first()).toBeVisible({ timeout: 120_000 });
  await expect(fresh.locator('.jp-vmprof-copy-bar')).toBeHidden();
  await expect(fresh.locator('.jp-vmprof-summary')).toHaveText(/^[\d,]+ samples · /);
  await expect(fresh.getByRole('button', { name: /^Export / })).toBeEnabled();
  await fresh.screenshot({ path: testInfo.outputPath('notebook7-live.png') });
  expect(dialogs).toEqual([]);
});
