/**
 * End to end: a `%%vmprof` cell in a real JupyterLab draws a flame graph
 * and a table from the server's Graph JSON, and "Export callgrind" gives a
 * file that callgrind_annotate reads, whose total is the sample count shown.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expect, Locator, Page, test } from '@playwright/test';

const TOKEN = process.env.VMPROF_UI_TOKEN ?? '';
const OUTPUT = '.jp-vmprof-profile';

/** Open a notebook of the temporary root and wait for an idle kernel. */
async function openNotebook(page: Page, notebook: string): Promise<Locator> {
  await page.goto(`/lab/tree/${notebook}?token=${TOKEN}&reset`);
  const panel = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)').first();
  await expect(panel.locator('.jp-Cell').first()).toBeVisible({ timeout: 120_000 });
  // The indicator says idle before a kernel exists too: also wait for the
  // status bar to name the kernel and call it idle.
  await expect(page.locator('.jp-StatusBar-Widget').getByText(/Python 3 \(ipykernel\) \| Idle/)).toBeVisible({
    timeout: 120_000
  });
  await expect(panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toBeVisible({
    timeout: 120_000
  });
  return panel;
}

/** Run one cell from its editor, as a user would with Shift+Enter. */
async function runCell(page: Page, cell: Locator): Promise<void> {
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
}

/** The samples count the toolbar shows, e.g. "1,234 samples, 5.01 s" → 1234. */
async function toolbarSamples(output: Locator): Promise<number> {
  const summary = output.locator('.jp-vmprof-summary');
  await expect(summary).toHaveText(/^[\d,]+ samples, /);
  const text = (await summary.textContent()) ?? '';
  return Number(text.split(' ')[0].replace(/,/g, ''));
}

test('a %%vmprof cell shows a flame graph, a table and exports callgrind', async ({
  page
}, testInfo) => {
  const dialogs: string[] = [];
  page.on('dialog', dialog => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const panel = await openNotebook(page, 'examples/demo.ipynb');
  const cell = panel.locator('.jp-CodeCell').filter({ hasText: '%%vmprof' }).first();
  await runCell(page, cell);

  // No %load_ext in the notebook: the autoload plugin loaded the magic.
  const output = cell.locator(OUTPUT);
  await expect(output.locator('.js-plotly-plot')).toBeVisible({
    timeout: 180_000
  });
  const samples = await toolbarSamples(output);
  expect(samples).toBeGreaterThan(0);
  await expect(output.locator('.jp-vmprof-error')).toBeHidden();
  // plotly drew boxes.
  await expect(output.locator('.jp-vmprof-flame g.slice').first()).toBeVisible();
  await output.screenshot({ path: testInfo.outputPath('flame.png') });

  // The table: rows, and self percentages adding up to 100%.
  await output.getByRole('button', { name: 'Table' }).click();
  const rows = output.locator('table.jp-vmprof-table tbody tr');
  await expect(rows.first()).toBeVisible();
  const selfPercents = await output
    .locator('table.jp-vmprof-table tbody tr td:first-child')
    .allTextContents();
  expect(selfPercents.length).toBeGreaterThan(0);
  const tenths = selfPercents.reduce((sum, t) => sum + Math.round(parseFloat(t) * 10), 0);
  expect(tenths).toBe(1000);
  await output.screenshot({ path: testInfo.outputPath('table.png') });

  // Export callgrind: a real download, checked with callgrind_annotate.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    output.getByRole('button', { name: 'Export callgrind' }).click()
  ]);
  expect(download.suggestedFilename()).toMatch(/^callgrind\.out\.\d{8}T\d{6}-[0-9a-f]{8}$/);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const text = fs.readFileSync(file, 'utf8');
  expect(text.startsWith('# callgrind format')).toBe(true);
  const totals = /^totals:\s*(\d+)\s*$/m.exec(text);
  expect(totals).not.toBeNull();
  expect(Number(totals![1])).toBe(samples);

  const annotate = spawnSync('callgrind_annotate', [file], { encoding: 'utf8' });
  expect(annotate.error).toBeUndefined();
  expect(annotate.stderr).toBe('');
  expect(annotate.status).toBe(0);
  fs.writeFileSync(testInfo.outputPath('callgrind_annotate.txt'), annotate.stdout);

  expect(dialogs).toEqual([]);
});

test('names are text, never markup, and a missing profile says so', async ({ page }, testInfo) => {
  const evil = '<img src=x onerror=alert(1)>';
  const dialogs: string[] = [];
  page.on('dialog', dialog => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const panel = await openNotebook(page, 'ui-tests/names-and-errors.ipynb');
  const cells = panel.locator('.jp-CodeCell');

  // An output whose profile is not in the store: the server's message shows.
  const missing = cells.nth(1);
  await runCell(page, missing);
  const error = missing.locator(`${OUTPUT} .jp-vmprof-error`);
  await expect(error).toBeVisible({ timeout: 60_000 });
  await expect(error).toContainText('no longer in the profile store');

  // A hot function whose name is HTML.
  const evilCell = cells.nth(0);
  await runCell(page, evilCell);
  const output = evilCell.locator(OUTPUT);
  await expect(output.locator('.js-plotly-plot')).toBeVisible({
    timeout: 180_000
  });
  // plotly shows the characters (its labels are SVG text).
  const flameTexts = await output.locator('.jp-vmprof-flame svg text').allTextContents();
  expect(flameTexts.some(t => t.includes('<img src=x'))).toBe(true);
  await output.getByRole('button', { name: 'Table' }).click();
  await expect(output.locator('td.jp-vmprof-name', { hasText: evil }).first()).toHaveText(evil);
  expect(await output.locator('img').count()).toBe(0);
  await output.screenshot({ path: testInfo.outputPath('evil-names.png') });
  expect(dialogs).toEqual([]);
  expect(fs.existsSync(path.dirname(testInfo.outputPath('x')))).toBe(true);
});
