/**
 * The report of `jupyter vmprof run`, opened as a user opens it: a file in Chromium, no
 * server, no network. The demo notebook is run headless first (a real kernel, real vmprof).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expect, test } from '@playwright/test';

const REPO = path.resolve(__dirname, '..', '..');
const PYTHON = path.join(REPO, '.venv', 'bin', 'python');
const DEMO = path.join(REPO, 'examples', 'demo.ipynb');

let work = '';
let report = '';

test.beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprof-report-'));
  report = path.join(work, 'report.html');
  fs.mkdirSync(path.join(work, 'store'));
  execFileSync(
    PYTHON,
    ['-m', 'jupyterlab_vmprof.cli.notebook', 'run', DEMO, '-o', report],
    {
      cwd: work,
      env: { ...process.env, PYTHONPATH: REPO, JUPYTERLAB_VMPROF_STORE: path.join(work, 'store') },
      timeout: 300_000,
      stdio: ['ignore', 'inherit', 'inherit']
    }
  );
});

test.afterAll(() => {
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('the report shows a flame graph and a table per cell, offline', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', request => {
    if (!request.url().startsWith('file://')) {
      requests.push(request.url());
    }
  });
  await page.goto('file://' + report);
  const cells = page.locator('section.cell');
  await expect(cells).toHaveCount(4);
  await expect(page.locator('table.summary tbody tr')).toHaveCount(4);
  for (let index = 0; index < 4; index++) {
    const cell = cells.nth(index);
    await expect(cell.locator('.flame')).toBeVisible();
    expect(await cell.locator('.flame .box').count()).toBeGreaterThan(2);
    await expect(cell.locator('table.top tbody tr').first()).toBeVisible();
    await expect(cell.locator('pre code')).not.toBeEmpty();
  }
  await expect(cells.nth(0).locator('.flame .box', { hasText: /^fib$/ }).first()).toBeVisible();
  await expect(cells.nth(3).locator('.flame .box', { hasText: 'kernel_sum_sq' }).first()).toBeVisible();
  expect(requests).toEqual([]);
});

test('clicking a box zooms to it, clicking the top row zooms out', async ({ page }) => {
  await page.goto('file://' + report);
  const graph = page.locator('section.cell').first().locator('.flame');
  const target = graph.locator('.box', { hasText: /^count_words$/ }).first();
  const full = (await graph.boundingBox())!.width;
  const before = (await target.boundingBox())!.width;
  expect(before).toBeLessThan(full * 0.95);
  await target.click();
  await expect.poll(async () => (await target.boundingBox())!.width).toBeGreaterThan(full * 0.95);
  await graph.locator('.box').first().click();
  await expect.poll(async () => (await target.boundingBox())!.width).toBeLessThan(full * 0.95);
});
