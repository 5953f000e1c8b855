/**
 * A kernel that dies while a profiled cell runs: the cell's own output, which
 * showed the progress, turns into the profile of what was sampled before the
 * death, saying that the kernel stopped (the server lists it interrupted).
 */
import { expect, test } from '@playwright/test';
import { openNotebook } from './helpers';

test('the cell whose kernel died shows its partial profile and why', async ({ page }) => {
  const panel = await openNotebook(page, 'ui-tests/kernel-death.ipynb');
  const cell = panel.locator('.jp-CodeCell').first();
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
  const output = cell.locator('.jp-vmprof-profile');
  // While it runs: progress under the cell.
  await expect(output.locator('.jp-vmprof-summary')).toHaveText(/^Profiling… \d+ s so far/, { timeout: 60_000 });
  // JupyterLab says the kernel died and restarts it; the output stays and explains.
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  await dialog.locator('button').last().click();
  await expect(output.locator('.jp-vmprof-warnings')).toContainText('The kernel stopped while this cell ran', {
    timeout: 60_000
  });
  await expect(output.locator('.jp-vmprof-flame-view .js-plotly-plot')).toBeVisible();
  await expect(output.locator('.jp-vmprof-summary')).toHaveText(/^[\d,]+ samples/);
  const samples = Number(await output.locator('.jp-vmprof-summary').getAttribute('data-samples'));
  expect(samples).toBeGreaterThan(0);
});
