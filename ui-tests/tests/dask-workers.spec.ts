/**
 * `%%vmprof --workers` in JupyterLab: a real LocalCluster of two worker
 * processes; the output's process chooser shows the kernel, all workers
 * merged, and each worker, and every choice draws its own flame graph.
 */
import { expect, test } from '@playwright/test';
import { openNotebook, saveForDocs } from './helpers';

test('the process chooser shows each Dask worker and all of them merged', async ({ page }) => {
  test.setTimeout(300_000);
  const panel = await openNotebook(page, 'ui-tests/dask-workers.ipynb');
  const cells = panel.locator('.jp-CodeCell');
  await cells.nth(0).locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter'); // the cluster, then the profiled cell
  await page.keyboard.press('Shift+Enter');
  const output = cells.nth(1).locator('.jp-vmprof-profile');
  await expect(output.locator('.jp-vmprof-flame-view .js-plotly-plot')).toBeVisible({ timeout: 240_000 });

  const chooser = output.locator('select.jp-vmprof-process');
  await expect(chooser).toBeVisible();
  const texts = await chooser.locator('option').allTextContents();
  expect(texts[0]).toBe('kernel');
  expect(texts[1]).toBe('all workers (2 of 2)');
  expect(texts.slice(2).every(t => /^worker [01] \(127\.0\.0\.1:\d+, .+\)$/.test(t))).toBe(true);

  const summary = output.locator('.jp-vmprof-summary');
  await chooser.selectOption('workers');
  // The merged workers ran the work: both functions are boxes of the flame graph.
  const slices = output.locator('.jp-vmprof-flame g.slice');
  await expect(slices.filter({ hasText: 'py_part' }).first()).toBeVisible({ timeout: 60_000 });
  await expect(slices.filter({ hasText: 'np_part' }).first()).toBeVisible();
  const threadTexts = await output.locator('select.jp-vmprof-thread option').allTextContents();
  expect(threadTexts.some(t => t.startsWith('worker 0 ('))).toBe(true);
  expect(threadTexts.some(t => t.startsWith('worker 1 ('))).toBe(true);
  const merged = Number((await summary.getAttribute('data-samples')) ?? 'NaN');

  const shotFile = test.info().outputPath('process-chooser.png');
  await output.screenshot({ path: shotFile });
  saveForDocs(shotFile, 'process-chooser.png');

  let perWorker = 0;
  for (const value of ['worker-0', 'worker-1']) {
    const before = await summary.getAttribute('data-samples');
    await chooser.selectOption(value);
    await expect(summary).not.toHaveAttribute('data-samples', before ?? '');
    perWorker += Number(await summary.getAttribute('data-samples'));
  }
  expect(perWorker).toBe(merged);

  // The kernel only waited for the workers: none of the work is in its part.
  await chooser.selectOption('kernel');
  await expect(output.locator('.jp-vmprof-flame-view .js-plotly-plot')).toBeVisible();
  await expect(slices.filter({ hasText: 'py_part' })).toHaveCount(0);
});
