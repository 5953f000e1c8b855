/**
 * End to end: a `%%vmprof` cell in a real JupyterLab draws a flame graph
 * and a table from the server's Graph JSON, and "Export callgrind" gives a
 * file that callgrind_annotate reads, whose total is the sample count shown.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { expect, Locator, Page, test } from '@playwright/test';
import { collectDialogs, openNotebook, saveForDocs } from './helpers';

const OUTPUT = '.jp-vmprof-profile';

/** Run one cell from its editor, as a user would with Shift+Enter. */
async function runCell(page: Page, cell: Locator): Promise<void> {
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
}

/** The samples count the toolbar shows, e.g. "1,234 samples · 4.20 s sampled CPU time · 5.01 s wall" → 1234. */
async function toolbarSamples(output: Locator): Promise<number> {
  const summary = output.locator('.jp-vmprof-summary');
  await expect(summary).toHaveText(/^[\d,]+ samples · /);
  const text = (await summary.textContent()) ?? '';
  return Number(text.split(' ')[0].replace(/,/g, ''));
}

/** Click the widest box of the lowest level drawn, and wait for the redraw. */
async function clickDeepestBox(output: Locator): Promise<void> {
  const boxes = await output.locator('.jp-vmprof-flame g.slice path.surface').all();
  let best: { box: Locator; y: number; width: number } | null = null;
  for (const box of boxes) {
    const rect = await box.boundingBox();
    if (rect && (!best || rect.y > best.y + 1 || (Math.abs(rect.y - best.y) <= 1 && rect.width > best.width))) {
      best = { box, y: rect.y, width: rect.width };
    }
  }
  const before = await output.locator('.jp-vmprof-breadcrumb').textContent();
  await best!.box.click({ force: true });
  await expect(output.locator('.jp-vmprof-breadcrumb')).not.toHaveText(before ?? '');
}

test('a %%vmprof cell shows a flame graph, a table and exports callgrind', async ({
  page
}, testInfo) => {
  const dialogs = collectDialogs(page);
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
  await expect(output.locator('.jp-vmprof-profile-error')).toBeHidden();
  await expect(output.locator('.jp-vmprof-flame-error')).toBeHidden();
  // plotly drew boxes.
  await expect(output.locator('.jp-vmprof-flame g.slice').first()).toBeVisible();
  // Zoom towards the cell's own code (below the IPython frames) for the picture.
  for (let zoom = 0; zoom < 3; zoom++) {
    const labels = await output.locator('.jp-vmprof-flame svg text').allTextContents();
    if (labels.some(t => t === 'fib')) {
      break;
    }
    await clickDeepestBox(output);
  }
  await page.mouse.move(0, 0); // no hover label in the picture
  await output.screenshot({ path: testInfo.outputPath('flame.png') });
  saveForDocs(testInfo.outputPath('flame.png'), 'profile-flame.png');

  // The table: rows, and self percentages adding up to 100%.
  await output.getByRole('button', { name: 'Table' }).click();
  const rows = output.locator('.jp-vmprof-table-view table.jp-vmprof-table tbody tr');
  await expect(rows.first()).toBeVisible();
  const selfPercents = await output
    .locator('.jp-vmprof-table-view table.jp-vmprof-table tbody tr td:first-child')
    .allTextContents();
  expect(selfPercents.length).toBeGreaterThan(0);
  const tenths = selfPercents.reduce((sum, t) => sum + Math.round(parseFloat(t) * 10), 0);
  expect(tenths).toBe(1000);
  await output.screenshot({ path: testInfo.outputPath('table.png') });
  saveForDocs(testInfo.outputPath('table.png'), 'profile-table.png');

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
  const dialogs = collectDialogs(page);
  const panel = await openNotebook(page, 'ui-tests/names-and-errors.ipynb');
  const cells = panel.locator('.jp-CodeCell');

  // An output whose profile is not in the store: the server's message shows.
  const missing = cells.nth(1);
  await runCell(page, missing);
  const error = missing.locator(`${OUTPUT} .jp-vmprof-profile-error`);
  await expect(error).toBeVisible({ timeout: 60_000 });
  await expect(error).toContainText('no longer in the profile store');

  // A hot function whose name is HTML.
  const evilCell = cells.nth(0);
  await runCell(page, evilCell);
  const output = evilCell.locator(OUTPUT);
  await expect(output.locator('.js-plotly-plot')).toBeVisible({
    timeout: 180_000
  });
  // plotly shows the characters (its labels are SVG text). The function
  // may sit below the levels drawn at first: zoom into the deepest box
  // until it shows, which also exercises zooming.
  const flameTexts = () => output.locator('.jp-vmprof-flame svg text').allTextContents();
  for (let zoom = 0; zoom < 4; zoom++) {
    if ((await flameTexts()).some(t => t.includes('<img src=x'))) {
      break;
    }
    await clickDeepestBox(output);
  }
  expect((await flameTexts()).some(t => t.includes('<img src=x'))).toBe(true);
  // Zoom into it: the breadcrumb shows the name as text too; then zoom out.
  const evilBox = output.locator('.jp-vmprof-flame g.slice').filter({ hasText: '<img src=x' }).first();
  await evilBox.locator('path.surface').click({ force: true });
  await expect(output.locator('.jp-vmprof-breadcrumb-current')).toHaveText(evil);
  await output.locator('.jp-vmprof-breadcrumb button', { hasText: 'all samples' }).click();
  await expect(output.locator('.jp-vmprof-breadcrumb-current')).toHaveText('all samples');
  await output.getByRole('button', { name: 'Table' }).click();
  await expect(output.locator('td.jp-vmprof-name', { hasText: evil }).first()).toHaveText(evil);
  expect(await output.locator('img').count()).toBe(0);
  await output.screenshot({ path: testInfo.outputPath('evil-names.png') });
  expect(dialogs).toEqual([]);
});

test('%%vmprof still works after a kernel restart, with no %load_ext', async ({ page }) => {
  const panel = await openNotebook(page, 'ui-tests/names-and-errors.ipynb');
  await panel.locator('.jp-Toolbar-item[data-jp-item-name="restart"] button, .jp-Toolbar-item[data-jp-item-name="restart"]').first().click();
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect(page.locator('.jp-StatusBar-Widget').getByText(/Python 3 \(ipykernel\) \| Idle/)).toBeVisible({
    timeout: 120_000
  });
  const cell = panel.locator('.jp-CodeCell').first();
  await runCell(page, cell);
  const output = cell.locator(OUTPUT);
  await expect(output.locator('.js-plotly-plot')).toBeVisible({ timeout: 180_000 });
  expect(await toolbarSamples(output)).toBeGreaterThan(0);
  // Execution count 1: this ran in the new kernel, where only the
  // autoload plugin could have loaded the magic.
  await expect(cell.locator('.jp-InputPrompt')).toHaveText(/\[1\]/);
  await expect(cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);
});

test('a profile with two threads can show one thread', async ({ page }) => {
  const panel = await openNotebook(page, 'ui-tests/names-and-errors.ipynb');
  const cell = panel.locator('.jp-CodeCell').filter({ hasText: 'two-threads' });
  await runCell(page, cell);
  const output = cell.locator(OUTPUT);
  await expect(output.locator('.js-plotly-plot')).toBeVisible({ timeout: 180_000 });
  const all = await toolbarSamples(output);
  const menu = output.locator('select.jp-vmprof-thread');
  await expect(menu).toBeVisible();
  const options = await menu.locator('option').allTextContents();
  expect(options.length).toBeGreaterThanOrEqual(3);
  const values = await menu.locator('option').evaluateAll(nodes => nodes.map(n => (n as HTMLOptionElement).value));
  // One thread: not the default ('') nor "all threads + kernel" ('+kernel', listed when a
  // kernel thread happened to be sampled too).
  const oneThread = values.find(value => value !== '' && value !== '+kernel');
  expect(oneThread).toBeDefined();
  await menu.selectOption(oneThread!);
  // The thread's label (threads.ts): 'main' or 'thread 2'.
  await expect(output.locator('.jp-vmprof-summary')).toHaveText(/\((main|thread \d+)( · [^;]+)?; [\d,]+ in the file\)/);
  const one = await toolbarSamples(output);
  expect(one).toBeGreaterThan(0);
  expect(one).toBeLessThanOrEqual(all);
  await expect(output.locator('.js-plotly-plot')).toBeVisible();
});

test('the views follow the dark theme', async ({ page }, testInfo) => {
  const panel = await openNotebook(page, 'examples/demo.ipynb');
  const cell = panel.locator('.jp-CodeCell').filter({ hasText: '%%vmprof' }).first();
  await runCell(page, cell);
  const output = cell.locator(OUTPUT);
  await expect(output.locator('.js-plotly-plot')).toBeVisible({ timeout: 180_000 });

  await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Dark$/ }).click();
  await expect(page.locator('body[data-jp-theme-light="false"]')).toHaveCount(1, { timeout: 60_000 });

  // plotly got the theme's (light) font colour, not the light theme's black.
  const lightText = async () => {
    const fill = await output
      .locator('.jp-vmprof-flame svg text')
      .first()
      .evaluate(node => getComputedStyle(node).fill);
    const [r, g, b] = (fill.match(/\d+/g) ?? ['0', '0', '0']).map(Number);
    return (r + g + b) / 3;
  };
  await expect.poll(lightText, { timeout: 30_000 }).toBeGreaterThan(150);
  await page.mouse.move(0, 0);
  await output.screenshot({ path: testInfo.outputPath('flame-dark.png') });
  saveForDocs(testInfo.outputPath('flame-dark.png'), 'profile-flame-dark.png');
  await output.getByRole('button', { name: 'Table' }).click();
  await output.screenshot({ path: testInfo.outputPath('table-dark.png') });

  // Back to the light theme for whoever uses this lab next.
  await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Light$/ }).click();
  await expect(page.locator('body[data-jp-theme-light="true"]')).toHaveCount(1, { timeout: 60_000 });
});

test('settings apply live to open profile outputs', async ({ page }) => {
  const panel = await openNotebook(page, 'examples/demo.ipynb');
  const cell = panel.locator('.jp-CodeCell').filter({ hasText: '%%vmprof' }).first();
  await runCell(page, cell);
  const output = cell.locator(OUTPUT);
  await expect(output.locator('.js-plotly-plot')).toBeVisible({ timeout: 180_000 });
  await expect(output.locator('.jp-vmprof-table-view')).toBeHidden();

  // Settings > Settings Editor > vmprof profiles > Default view: table.
  await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Settings Editor$/ }).click();
  await page.locator('.jp-PluginList-entry', { hasText: 'vmprof profiles' }).click();
  const field = page.locator('.jp-SettingsPanel select').first();
  await field.selectOption('table');

  await page.locator('.lm-TabBar-tabLabel', { hasText: 'demo.ipynb' }).click();
  await expect(output.locator('.jp-vmprof-table-view')).toBeVisible({ timeout: 30_000 });
  await expect(output.getByRole('button', { name: 'Table' })).toHaveAttribute('aria-pressed', 'true');

  // Put the default back: the lab (and its settings) serve the other tests too.
  await page.locator('.lm-TabBar-tabLabel', { hasText: 'Settings' }).click();
  await field.selectOption('flame');
  await page.locator('.lm-TabBar-tabLabel', { hasText: 'demo.ipynb' }).click();
  await expect(output.locator('.js-plotly-plot')).toBeVisible();
});

test('a short cell says so in one line; %%vmprof --help; --fork says variables are not kept', async ({ page }) => {
  const panel = await openNotebook(page, 'ui-tests/names-and-errors.ipynb');
  const short = panel.locator('.jp-CodeCell').filter({ hasText: 'short-cell' });
  await runCell(page, short);
  const note = short.locator(`${OUTPUT} .jp-vmprof-short-cell`);
  await expect(note).toBeVisible({ timeout: 180_000 });
  await expect(note).toHaveText(/^No sample.*: it ran for [\d.]+ (µs|ms) wall.*(--period [\d.e-]+|--real-time)/);
  await expect(short.locator(`${OUTPUT} .js-plotly-plot`)).toHaveCount(0);
  const flame = await short.locator(`${OUTPUT} .jp-vmprof-flame-view`).boundingBox();
  expect(flame!.height).toBeLessThan(120);

  const help = panel.locator('.jp-CodeCell').filter({ hasText: '%%vmprof --help' });
  await runCell(page, help);
  await expect(help.locator('.jp-OutputArea-output')).toContainText('--period SECONDS', { timeout: 60_000 });
  await expect(help.locator('.jp-OutputArea-output')).toContainText('--fork');
  await expect(help.locator(OUTPUT)).toHaveCount(0);

  const forked = panel.locator('.jp-CodeCell').filter({ hasText: 'forked-cell' });
  await runCell(page, forked);
  await expect(forked.locator(`${OUTPUT} .js-plotly-plot, ${OUTPUT} .jp-vmprof-short-cell`).first()).toBeVisible({
    timeout: 180_000
  });
  await expect(forked.locator('.jp-OutputArea')).toContainText('variables set by this cell are NOT kept');

  // A cell stopped with the kernel's interrupt is "interrupted", not "failed".
  const stopped = panel.locator('.jp-CodeCell').filter({ hasText: 'stopped-cell' });
  await runCell(page, stopped);
  await expect(stopped.locator('.jp-OutputArea')).toContainText('looping', { timeout: 60_000 });
  await page.waitForTimeout(1500);
  await page.locator('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]').click();
  const warnings = stopped.locator(`${OUTPUT} .jp-vmprof-warnings`);
  await expect(warnings).toContainText('Interrupted: the cell was stopped', { timeout: 120_000 });
  await expect(stopped.locator(OUTPUT)).not.toContainText('failed');
});
