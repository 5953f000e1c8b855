/**
 * The kernel's own threads (heartbeat, IOPub, control, history) are left out
 * of a cell's profile by default: a `%%vmprof --real-time` cell, whose work is
 * in its main thread and in one thread it starts, shows the cell's two
 * threads and says how many kernel threads and samples are hidden; the
 * chooser's "all threads + kernel" entry brings them back into the counts,
 * the summary and the timeline's legend.
 */
import { expect, Locator, test } from '@playwright/test';
import { openNotebook } from './helpers';

const KERNEL = '+kernel';

async function legendNames(output: Locator): Promise<string[]> {
  await output.locator('.jp-vmprof-view-switch button[data-view="timeline"]').click();
  const legend = output.locator('.jp-vmprof-timeline-view .legendtext');
  await expect(legend.first()).toBeVisible();
  return legend.allTextContents();
}

test('the kernel threads switch changes the threads counted and shown', async ({ page }) => {
  const panel = await openNotebook(page, 'ui-tests/kernel-threads.ipynb');
  const cell = panel.locator('.jp-CodeCell').first();
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
  const output = cell.locator('.jp-vmprof-profile');
  await expect(output.locator('.jp-vmprof-flame-view .js-plotly-plot')).toBeVisible({ timeout: 180_000 });
  const summary = output.locator('.jp-vmprof-summary');

  // Default: the cell's threads, and what was left out.
  const threads = output.locator('select.jp-vmprof-thread');
  await expect(threads).toBeVisible();
  await expect(summary).toHaveText(/ · (\d+) kernel threads? hidden, ([\d,]+) samples$/);
  const [, hiddenCount, hiddenSamples] = / · (\d+) kernel threads? hidden, ([\d,]+) samples$/.exec(
    (await summary.textContent()) ?? ''
  )!;
  const options = await threads.locator('option').allTextContents();
  const cellEntry = /^the cell's threads \(([\d,]+) samples\)$/.exec(options[0]);
  const kernelEntry = /^all threads \+ kernel \((\d+)\) \(([\d,]+) samples\)$/.exec(options[1]);
  expect(cellEntry).not.toBeNull();
  expect(kernelEntry).not.toBeNull();
  expect(kernelEntry![1]).toBe(hiddenCount);
  const count = (text: string) => Number(text.replace(/,/g, ''));
  const cellSamples = count(cellEntry![1]);
  const allSamples = count(kernelEntry![2]);
  expect(allSamples).toBe(cellSamples + count(hiddenSamples));
  expect(await threads.inputValue()).toBe('');
  expect(Number(await summary.getAttribute('data-samples'))).toBe(cellSamples);
  // The cell's two threads by their real names, each kernel thread marked as the kernel's.
  expect(options.filter(o => o.startsWith('main · MainThread'))).toHaveLength(1);
  expect(options.filter(o => / · cell-worker — /.test(o))).toHaveLength(1);
  expect(options.filter(o => /the kernel's own/.test(o))).toHaveLength(Number(hiddenCount));
  const hiddenLegend = await legendNames(output);
  expect(hiddenLegend).toHaveLength(2);

  // The switch: every thread counts, nothing is hidden, the legend lists the kernel's threads.
  await threads.selectOption(KERNEL);
  await expect(summary).not.toHaveText(/hidden/);
  await expect(summary).toHaveAttribute('data-samples', String(allSamples));
  expect(await threads.inputValue()).toBe(KERNEL);
  const allLegend = await legendNames(output);
  expect(allLegend).toHaveLength(2 + Number(hiddenCount));

  // And back.
  await threads.selectOption('');
  await expect(summary).toHaveText(/kernel threads? hidden/);
  await expect(summary).toHaveAttribute('data-samples', String(cellSamples));
});
