/**
 * End to end: the five views of a `%%vmprof` output (flame, table,
 * callers, lines, timeline), zoom and breadcrumb, search, thread choice,
 * legend, every export, "Save callgrind next to the notebook", and the
 * dark theme. Profile names are HTML on purpose: every view must show the
 * characters. With VMPROF_UI_SCREENSHOTS=1, screenshots go to docs/images/.
 */
import * as fs from 'fs';
import { expect, Locator, Page, test } from '@playwright/test';
import { openNotebook, saveForDocs, TOKEN } from './helpers';

const OUTPUT = '.jp-vmprof-profile';
const EVIL = '<img src=x onerror=alert(1)>';

async function shot(output: Locator, name: string): Promise<void> {
  const file = test.info().outputPath(name);
  await output.screenshot({ path: file });
  saveForDocs(file, name);
}

/** Run the views notebook's profiled cell once per test and return its output. */
async function profiledOutput(page: Page): Promise<Locator> {
  const panel = await openNotebook(page, 'ui-tests/views.ipynb');
  const cell = panel.locator('.jp-CodeCell').first();
  await cell.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
  const output = cell.locator(OUTPUT);
  await expect(output.locator('.jp-vmprof-flame-view .js-plotly-plot')).toBeVisible({ timeout: 180_000 });
  await expect(output.locator('.jp-vmprof-summary')).toHaveText(/^[\d,]+ samples · .* wall/);
  return output;
}

function noMarkup(page: Page, dialogs: string[]) {
  page.on('dialog', dialog => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
}

test('every view, search, threads and legend; names stay text', async ({ page }) => {
  const dialogs: string[] = [];
  noMarkup(page, dialogs);
  const output = await profiledOutput(page);
  const summary = output.locator('.jp-vmprof-summary');
  await expect(summary).toHaveText(/sampled (CPU|wall) time/);
  expect(await summary.getAttribute('title')).toMatch(/requested period/);

  // Legend: kinds with percentages that add up to 100.
  const legend = output.locator('.jp-vmprof-legend-item');
  await expect(legend.first()).toBeVisible();
  const percents = (await legend.allTextContents()).map(t => Number(/([\d.]+)%/.exec(t)![1]));
  expect(Math.round(percents.reduce((a, b) => a + b, 0) * 10)).toBe(1000);
  await shot(output, 'profile-flame.png');

  // My code first (on by default): the worker thread's threading frames are one box.
  const slices = output.locator('.jp-vmprof-flame g.slice');
  const hiddenBox = slices.filter({ hasText: /^\d+ frames? hidden \(stdlib/ });
  await expect(hiddenBox.first()).toBeVisible();
  await expect(slices.filter({ hasText: '_bootstrap_inner' })).toHaveCount(0);
  await expect(output.locator('.jp-vmprof-flame-note')).toContainText('library frames folded');
  await shot(output, 'profile-flame-mycode.png');
  const myCode = output.locator('input.jp-vmprof-mycode-toggle');
  await myCode.uncheck();
  await expect(slices.filter({ hasText: '_bootstrap_inner' }).first()).toBeVisible();
  await expect(hiddenBox).toHaveCount(0);
  await myCode.check();
  await expect(hiddenBox.first()).toBeVisible();

  // Zoom by clicking the box of the evil-named function, then back by the breadcrumb.
  const evilBox = output.locator('.jp-vmprof-flame g.slice').filter({ hasText: EVIL }).first();
  await expect(evilBox).toBeVisible();
  await evilBox.locator('path.surface').click({ force: true });
  await expect(output.locator('.jp-vmprof-breadcrumb-current')).toHaveText(EVIL);
  await output.locator('.jp-vmprof-breadcrumb button', { hasText: 'all samples' }).click();
  await expect(output.locator('.jp-vmprof-breadcrumb-current')).toHaveText('all samples');

  // Callers: the clicked function is selected; its callee is inner_work.
  await output.locator('.jp-vmprof-view-switch button[data-view="callers"]').click();
  const callers = output.locator('.jp-vmprof-callers-view');
  await expect(callers.locator('.jp-vmprof-callers-name')).toHaveText(EVIL);
  await expect(callers.locator('tr[data-frame]', { hasText: 'inner_work' }).first()).toBeVisible();
  await shot(output, 'profile-callers.png');
  // Move to the callee, whose callers list then holds the evil name as text.
  await callers.locator('tr[data-frame]', { hasText: 'inner_work' }).first().click();
  await expect(callers.locator('.jp-vmprof-callers-name')).toHaveText('inner_work');
  await expect(callers.locator('.jp-vmprof-name', { hasText: EVIL }).first()).toBeVisible();

  // Lines of inner_work (recorded with --lines).
  await output.locator('.jp-vmprof-view-switch button[data-view="lines"]').click();
  const lines = output.locator('.jp-vmprof-lines-view');
  await expect(lines.locator('.js-plotly-plot')).toBeVisible();
  await expect(lines.locator('tbody tr').first()).toBeVisible();
  // Native mode: the loop's lines, which call C code, have self samples (not 0 on every line).
  const lineSelf = (await lines.locator('tbody tr td:nth-child(5)').allTextContents()).map(t =>
    Number(t.replace(/,/g, ''))
  );
  expect(lineSelf.some(n => n > 0)).toBe(true);
  // Each line's source text beside its costs: the cell's code, read from ipykernel's file.
  await expect(lines.locator('td.jp-vmprof-lines-source', { hasText: 'total += i % 7' })).toBeVisible();
  await expect(lines.locator('.jp-vmprof-lines-no-source')).toHaveCount(0);
  await shot(output, 'profile-lines.png');

  // Timeline: two threads and RSS (--memory).
  await output.locator('.jp-vmprof-view-switch button[data-view="timeline"]').click();
  const timeline = output.locator('.jp-vmprof-timeline-view');
  await expect(timeline.locator('.js-plotly-plot')).toBeVisible();
  await expect(timeline.locator('.legendtext', { hasText: 'main · MainThread' }).first()).toBeVisible();
  await shot(output, 'profile-timeline.png');
  // Thread colours are not frame-kind colours.
  const kindColors = await output
    .locator('.jp-vmprof-legend-item .jp-vmprof-swatch')
    .evaluateAll(nodes => nodes.map(n => getComputedStyle(n).backgroundColor));
  const threadColors = await timeline
    .locator('.legend .traces .legendpoints path')
    .evaluateAll(nodes => nodes.map(n => getComputedStyle(n).fill));
  expect(kindColors.length).toBeGreaterThan(0);
  expect(threadColors.length).toBeGreaterThan(1);
  for (const color of threadColors) {
    expect(kindColors).not.toContain(color);
  }

  // Time order: the main thread's stacks as they happened, on a CPU-time axis; a click selects.
  const timeOrder = output.locator('.jp-vmprof-time-order-view');
  await expect(timeOrder.locator('.js-plotly-plot')).toBeVisible();
  await expect(timeOrder.locator('.jp-vmprof-chart-notes')).toContainText(/Stacks of main · MainThread in the order/);
  await expect(timeOrder.locator('.jp-vmprof-chart-notes')).toContainText(/axis is the CPU time|wall-clock/);
  const bars = timeOrder.locator('g.point');
  await expect(bars.first()).toBeVisible();
  const fills = async () =>
    timeOrder.locator('g.point path').evaluateAll(paths => paths.map(p => Number(getComputedStyle(p).fillOpacity)));
  // The function selected in the other views (inner_work): its spans are the undimmed ones.
  const bright = (await fills()).filter(opacity => opacity === 1).length;
  expect(bright).toBeGreaterThan(0);
  expect(bright).toBeLessThan((await fills()).length);
  await timeOrder.locator('g.point', { hasText: /^<module>$/ }).first().locator('path').click({ force: true });
  await output.locator('.jp-vmprof-view-switch button[data-view="callers"]').click();
  await expect(output.locator('.jp-vmprof-callers-view .jp-vmprof-callers-name')).toHaveText('<module>');
  await output.locator('.jp-vmprof-view-switch button[data-view="timeline"]').click();
  await timeOrder.scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await shot(timeOrder, 'profile-time-order.png');

  // Table + search: rows filtered, status says how many match; a row click selects.
  await output.locator('.jp-vmprof-view-switch button[data-view="table"]').click();
  const search = output.locator('input.jp-vmprof-search');
  await search.fill('<img');
  await expect(output.locator('.jp-vmprof-search-status')).toContainText('1 function');
  const rows = output.locator('.jp-vmprof-table-view tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator('.jp-vmprof-name')).toHaveText(EVIL);
  await shot(output, 'profile-table.png');
  // Sort by every column; the sort is kept while searching; filter by kind and my code.
  await search.fill('');
  const table = output.locator('.jp-vmprof-table-view');
  const names = () => table.locator('tbody tr[data-frame] .jp-vmprof-name').allTextContents();
  const byName = table.locator('th[data-sort="name"]');
  await byName.click();
  await expect(byName).toHaveAttribute('aria-sort', 'ascending');
  const ascending = await names();
  expect(ascending.length).toBeGreaterThan(2);
  expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b)));
  await byName.click();
  await expect(byName).toHaveAttribute('aria-sort', 'descending');
  expect(await names()).toEqual([...ascending].reverse());
  await search.fill('work');
  const matching = await names();
  expect(matching).toEqual([...matching].sort((a, b) => b.localeCompare(a)));
  await search.fill('');
  const byTotal = table.locator('th[data-sort="total"]');
  await byTotal.click();
  await expect(byTotal).toHaveAttribute('aria-sort', 'descending');
  const inclusive = (await table.locator('tbody tr[data-frame] td.jp-vmprof-total').allTextContents()).map(t =>
    parseFloat(t)
  );
  for (const column of ['self', 'samples', 'time', 'location', 'kind']) {
    const th = table.locator(`th[data-sort="${column}"]`);
    if ((await th.count()) > 0) {
      await th.click();
      await expect(th).not.toHaveAttribute('aria-sort', 'none');
    }
  }
  expect(inclusive.length).toBeGreaterThan(2);
  expect(inclusive).toEqual([...inclusive].sort((a, b) => b - a));
  await table.locator('input.jp-vmprof-table-mycode').check();
  const mine = await names();
  expect(mine).toContain('inner_work');
  expect(mine).toContain(EVIL);
  expect(mine).not.toContain('_bootstrap_inner');
  await expect(table.locator('tbody tr.jp-vmprof-row-synthetic', { hasText: 'hidden by the filter' })).toBeVisible();
  await table.locator('input.jp-vmprof-table-mycode').uncheck();
  const kinds = await table.locator('select.jp-vmprof-table-kind option').allTextContents();
  expect(kinds[0]).toBe('All kinds');
  await table.locator('select.jp-vmprof-table-kind').selectOption({ label: kinds[1] });
  const shownKinds = await table.locator('tbody tr[data-frame] .jp-vmprof-kind').allTextContents();
  expect(shownKinds.length).toBeGreaterThan(0);
  expect(new Set(shownKinds)).toEqual(new Set([kinds[1]]));
  await table.locator('select.jp-vmprof-table-kind').selectOption({ label: 'All kinds' });
  await search.fill('/[/');
  await expect(output.locator('.jp-vmprof-search-status')).toContainText('not a valid regular expression');
  await search.fill('inner_work');
  await output.locator('.jp-vmprof-view-switch button[data-view="flame"]').click();
  await expect(output.locator('.jp-vmprof-search-status')).toContainText('1 function');
  await search.fill('');

  // Threads: labels from the converter, choosing one reloads the view for it.
  const threads = output.locator('select.jp-vmprof-thread');
  await expect(threads).toBeVisible();
  const labels = await threads.locator('option').allTextContents();
  // The cell's threads when the kernel's own were sampled too (then left out), else all threads.
  expect(labels[0]).toMatch(/^(all threads|the cell's threads) /);
  expect(labels.some(l => l.startsWith('main'))).toBe(true);
  expect(labels.some(l => /^thread 2/.test(l))).toBe(true);
  // Real names, as the kernel recorded them: the cell's thread and the one it started.
  expect(labels.some(l => l.startsWith('main · MainThread'))).toBe(true);
  expect(labels.some(l => /^thread \d+ · Thread-\d+ \(inner_work\)/.test(l))).toBe(true);
  const before = await summary.textContent();
  const mainValue = await threads.locator('option', { hasText: /^main/ }).getAttribute('value');
  await threads.selectOption(mainValue!);
  await expect(summary).not.toHaveText(before ?? '');
  await expect(summary).toContainText('(main · MainThread;');

  expect(await output.locator('img').count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test('every export downloads; save next to the notebook; dark theme', async ({ page, request }) => {
  const dialogs: string[] = [];
  noMarkup(page, dialogs);
  const output = await profiledOutput(page);
  const id = await output.getAttribute('data-profile-id');
  expect(id).toMatch(/^\d{8}T\d{6}-[0-9a-f]{8}$/);

  const menu = output.locator('details.jp-vmprof-export-menu');
  // Open, the list is a fixed popup on document.body (src/views/popup.ts).
  const popup = page.locator('.jp-vmprof-export-list.jp-mod-popup');
  const expected: Record<string, RegExp> = {
    callgrind: /^callgrind\.out\./,
    collapsed: /\.collapsed\.txt$/,
    speedscope: /\.speedscope\.json$/,
    raw: /\.prof$/
  };
  for (const [format, name] of Object.entries(expected)) {
    await menu.locator('summary').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      popup.locator(`button[data-format="${format}"]`).click()
    ]);
    expect(download.suggestedFilename()).toMatch(name);
    const body = fs.readFileSync((await download.path())!);
    expect(body.length).toBeGreaterThan(0);
    if (format === 'callgrind') {
      expect(body.toString('utf8').startsWith('# callgrind format')).toBe(true);
    }
    if (format === 'speedscope') {
      expect(JSON.parse(body.toString('utf8')).$schema).toMatch(/speedscope/);
    }
  }

  // Save next to the notebook, from a short output that clips its overflow: the menu
  // opens whole over the page and its last item is reachable.
  await output.evaluate(node => {
    const short = (node.closest('.jp-OutputArea-output') ?? node.parentElement!) as HTMLElement;
    short.style.maxHeight = '90px';
    short.style.overflow = 'hidden';
    short.dataset.vmprofTestShort = '1';
  });
  const area = page.locator('[data-vmprof-test-short]');
  await menu.locator('summary').click();
  const save = popup.locator('button.jp-vmprof-save-next');
  await expect(save).toBeVisible();
  const onTop = await save.evaluate(button => {
    const r = button.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return button.contains(hit) && r.top >= 0 && r.bottom <= window.innerHeight;
  });
  expect(onTop).toBe(true);
  const outputBottom = await area.evaluate(node => node.getBoundingClientRect().bottom);
  expect((await save.boundingBox())!.y).toBeGreaterThan(outputBottom);
  await save.click();
  await expect(popup).toHaveCount(0);
  await area.evaluate(node => {
    (node as HTMLElement).style.maxHeight = '';
    (node as HTMLElement).style.overflow = '';
  });
  const note = page.locator('.Toastify__toast', { hasText: 'Saved callgrind next to the notebook' });
  await expect(note).toBeVisible();
  await expect(note).toContainText('ui-tests/callgrind.out.views-demo');
  const saved = await request.get(`/api/contents/ui-tests/callgrind.out.views-demo?content=1&token=${TOKEN}`);
  expect(saved.ok()).toBe(true);
  expect(String((await saved.json()).content)).toMatch(/^# callgrind format/);

  await expect(note).toBeHidden({ timeout: 30_000 }); // out of the dark screenshot

  // Dark theme: the views follow (plotly's font colour is the theme's).
  await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Dark$/ }).click();
  await expect(page.locator('body[data-jp-theme-light="false"]')).toBeAttached();
  await expect
    .poll(async () => output.locator('.jp-vmprof-flame .main-svg text').first().evaluate(t => getComputedStyle(t).fill))
    .not.toBe('rgb(0, 0, 0)');
  await page.waitForTimeout(500);
  await shot(output, 'profile-flame-dark.png');
  // Back to light for the next test runs' shared settings.
  await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Light$/ }).click();
  expect(dialogs).toEqual([]);
});
