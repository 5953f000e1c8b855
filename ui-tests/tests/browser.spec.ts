/**
 * The profile browser in the left sidebar, end to end in a real JupyterLab:
 * it lists the profile a %%vmprof cell just took without being asked,
 * filters, opens a profile in a main-area tab (once), renames, exports,
 * imports by upload and by drop, deletes after confirmation, and the
 * "Profile Cell with vmprof" command profiles a cell without editing it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, Locator, Page, test } from '@playwright/test';
import { codeCell, notebookOf, openNotebook, putNotebook, runFromPalette, saveForDocs, TOKEN } from './helpers';

const NOTEBOOK = 'browser-test.ipynb';
const REPO = path.resolve(__dirname, '..', '..');
const SAMPLE_PROF = path.join(REPO, 'test-data/profiles/vmprof-0.6.0/mixed.prof');

const PROFILED_SOURCE =
  '%%vmprof --name browser-demo\ndef browser_work():\n    return sum(i * i % 7 for i in range(3_000_000))\nbrowser_work()';
const FAILING_SOURCE = "%%vmprof --name failing-cell\nraise ValueError('boom')";
const PLAIN_SOURCE =
  'def plain_work():\n    return sum(i % 11 for i in range(3_000_000))\nplain_work()';

/** Write the test notebook into the server's root through the contents API. */
async function createNotebook(page: Page): Promise<void> {
  const cells = [
    codeCell(PROFILED_SOURCE, 'profiled'),
    codeCell(PLAIN_SOURCE, 'plain'),
    codeCell(FAILING_SOURCE, 'failing')
  ];
  await putNotebook(page, NOTEBOOK, notebookOf(cells));
}

test.describe.serial('profile browser', () => {
  let page: Page;
  let browser: Locator;
  let notebook: Locator;
  const rows = () => browser.locator('.jp-vmprof-browser-row:not([hidden])');
  const row = (name: string) => rows().filter({ has: page.locator('.jp-vmprof-browser-name', { hasText: name }) });

  test.beforeAll(async ({ browser: chromium }) => {
    page = await chromium.newPage();
    page.on('dialog', dialog => void dialog.dismiss());
    await createNotebook(page);
    notebook = await openNotebook(page, NOTEBOOK);
    browser = page.locator('#jp-vmprof-browser');
  });

  test.afterAll(async () => {
    await page.close();
  });

  test('opens from the palette and lists a new profile by itself', async () => {
    await runFromPalette(page, 'Show vmprof Profiles');
    await expect(browser).toBeVisible();
    await expect(browser.locator('.jp-vmprof-browser-count')).toHaveText(/\d+ profiles?/);
    await expect(browser.getByRole('listbox', { name: 'Profiles, newest first' })).toBeVisible();

    // Run the %%vmprof cell; nobody touches the browser.
    const cell = notebook.locator('.jp-CodeCell').first();
    await cell.locator('.jp-InputArea-editor').click();
    await page.keyboard.press('Shift+Enter');
    await expect(cell.locator('.jp-vmprof-profile .jp-vmprof-summary')).toHaveText(/samples/, {
      timeout: 180_000
    });
    const item = row('browser-demo');
    await expect(item).toHaveCount(1, { timeout: 15_000 });
    await expect(item.locator('.jp-vmprof-browser-status')).toHaveText('complete');
    await expect(item.locator('.jp-vmprof-browser-notebook')).toHaveText(NOTEBOOK);
    await expect(item.locator('.jp-vmprof-browser-cell')).toHaveText('def browser_work():');
    await expect(item.locator('.jp-vmprof-browser-when')).toHaveAttribute('title', /\d{4}-\d\d-\d\dT/);
    // The crash guard (CPython 3.11, 3.12) may add ' · N dropped by the crash guard'.
    await expect(item.locator('.jp-vmprof-browser-samples')).toHaveText(
      /^[\d,]+ samples( · [\d,]+ dropped by the crash guard)?$/
    );
    await expect(item.locator('.jp-vmprof-browser-duration')).toHaveText(/s$/);
    // Newest first.
    await expect(rows().first()).toHaveAttribute('data-profile-id', /.+/);
    expect(await rows().first().getAttribute('data-profile-id')).toBe(
      await item.getAttribute('data-profile-id')
    );
  });

  test('shows a failed cell as failed, and a profile imported elsewhere by polling', async () => {
    const cell = notebook.locator('.jp-CodeCell').nth(2);
    await cell.locator('.jp-InputArea-editor').click();
    await page.keyboard.press('Shift+Enter');
    await expect(row('failing-cell').locator('.jp-vmprof-browser-status')).toHaveText('failed', {
      timeout: 60_000
    });
    await expect(row('failing-cell').locator('.jp-vmprof-browser-status')).toHaveAttribute('title', /boom/);

    // A profile made through the REST API, not by this page: only the poll can see it.
    const response = await page.request.post('/jupyterlab-vmprof/profiles?name=made-elsewhere', {
      headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/octet-stream' },
      data: fs.readFileSync(SAMPLE_PROF)
    });
    expect(response.status()).toBe(201);
    await expect(row('made-elsewhere')).toHaveCount(1, { timeout: 10_000 });
  });

  test('polls only while the panel is visible', async () => {
    const listRequests: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (/\/jupyterlab-vmprof\/profiles\?/.test(request.url())) {
        listRequests.push(request.url());
      }
    };
    page.on('request', onRequest);
    const tab = page.locator('.jp-SideBar .lm-TabBar-tab[data-id="jp-vmprof-browser"]');
    await tab.click(); // collapses the sidebar
    await expect(browser).toBeHidden();
    listRequests.length = 0;
    await page.waitForTimeout(7_000);
    expect(listRequests).toEqual([]);
    await tab.click();
    await expect(browser).toBeVisible();
    await expect.poll(() => listRequests.length, { timeout: 10_000 }).toBeGreaterThan(0);
    page.off('request', onRequest);
  });

  test('the main menu has the commands', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
    await expect(page.locator('.lm-Menu-itemLabel', { hasText: 'Profile Cell with vmprof' })).toBeVisible();
    await page.keyboard.press('Escape');
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^View$/ }).click();
    await expect(page.locator('.lm-Menu-itemLabel', { hasText: 'Show vmprof Profiles' })).toBeVisible();
    await page.keyboard.press('Escape');
  });

  test('filters by text and by notebook', async () => {
    const filter = browser.getByRole('searchbox', { name: 'Filter profiles' });
    await filter.fill('no-such-profile-anywhere');
    await expect(rows()).toHaveCount(0);
    await expect(browser.locator('.jp-vmprof-browser-empty')).toHaveText(/No profile matches/);
    await filter.fill('browser_work');
    await expect(rows()).toHaveCount(1);
    await filter.fill('');
    const select = browser.getByRole('combobox', { name: 'Show profiles of notebook' });
    await select.selectOption({ label: NOTEBOOK });
    await expect(row('browser-demo')).toHaveCount(1);
    expect(await rows().locator('.jp-vmprof-browser-notebook').allTextContents()).toEqual(
      Array((await rows().count())).fill(NOTEBOOK)
    );
    await select.selectOption({ label: 'No notebook (imported, scripts)' });
    await expect(row('browser-demo')).toHaveCount(0);
    await select.selectOption('');
    await expect(row('browser-demo')).toHaveCount(1);
  });

  test('opens a profile in one main-area tab, by double-click and by Enter', async ({ browser: chromium }, testInfo) => {
    await row('browser-demo').dblclick();
    const viewer = page.locator('.jp-vmprof-viewer:not(.lm-mod-hidden)');
    await expect(viewer.locator('.jp-vmprof-summary')).toHaveText(/^[\d,]+ samples( ·|,) /, { timeout: 60_000 });
    await expect(viewer.locator('.js-plotly-plot')).toBeVisible();
    // The view fills the tab: the flame graph's plot reaches the tab's bottom.
    await expect
      .poll(async () => {
        const tabBox = (await viewer.boundingBox())!;
        const plot = (await viewer.locator('.jp-vmprof-flame .main-svg').first().boundingBox())!;
        return Math.abs(plot.y + plot.height - (tabBox.y + tabBox.height)) < 40 && plot.height > 0.6 * tabBox.height;
      }, { timeout: 20_000 })
      .toBe(true);
    const tab = page.locator('.jp-MainAreaWidget-tab, .lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'browser-demo' });
    await expect(tab).toHaveCount(1);
    await page.screenshot({ path: testInfo.outputPath('viewer.png') });
    // Back to the notebook, then Enter on the same row: the tab comes back, no second one.
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: NOTEBOOK }).click();
    await row('browser-demo').click();
    await page.keyboard.press('Enter');
    await expect(viewer).toBeVisible();
    await expect(page.locator('.jp-vmprof-viewer')).toHaveCount(1);
    // Reloaded (a second page of the same workspace), the restored tab keeps the profile's name, not its id.
    const reloaded = await chromium.newPage();
    try {
      await reloaded.goto(`/lab?token=${TOKEN}`);
      const restored = reloaded.locator('.jp-vmprof-viewer');
      await expect(restored.locator('.jp-vmprof-summary')).toHaveText(/^[\d,]+ samples/, { timeout: 120_000 });
      await expect(restored.locator('.jp-vmprof-title')).toHaveText('browser-demo');
      await expect(reloaded.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'browser-demo' })).toHaveCount(1);
    } finally {
      await reloaded.close();
    }
  });

  test('moves the selection with the arrow keys', async () => {
    const list = browser.getByRole('listbox');
    await row('browser-demo').click();
    await expect(list).toBeFocused();
    await page.keyboard.press('Home');
    const selected = () => list.locator('.jp-vmprof-browser-row[aria-selected="true"]');
    await expect(selected()).toHaveAttribute('aria-posinset', '1');
    await expect(list).toHaveAttribute('aria-activedescendant', /row/);
    await page.keyboard.press('ArrowDown');
    await expect(selected()).toHaveAttribute('aria-posinset', '2');
    await page.keyboard.press('End');
    await expect(selected()).toHaveAttribute('aria-posinset', String(await rows().count()));
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Home');
    await expect(selected()).toHaveAttribute('aria-posinset', '1');
    const activeId = await list.getAttribute('aria-activedescendant');
    await expect(page.locator(`#${activeId}`)).toHaveAttribute('aria-selected', 'true');
  });

  test('renames with F2 and the tab follows', async () => {
    await row('browser-demo').click();
    await page.keyboard.press('F2');
    const input = page.locator('.jp-Dialog input');
    await expect(input).toHaveValue('browser-demo');
    await input.fill('renamed <b>demo</b>');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    const renamed = row('renamed <b>demo</b>');
    await expect(renamed).toHaveCount(1);
    await expect(renamed.locator('b')).toHaveCount(0);
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'renamed <b>demo</b>' })).toHaveCount(1);
  });

  test('exports callgrind and raw with the server file names', async ({}, testInfo) => {
    await row('renamed').click();
    const id = await row('renamed').getAttribute('data-profile-id');
    await browser.locator('.jp-vmprof-browser-export').click();
    const [callgrind] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.lm-Menu-item', { hasText: 'Export Callgrind' }).click()
    ]);
    expect(callgrind.suggestedFilename()).toBe(`callgrind.out.${id}`);
    const file = testInfo.outputPath(callgrind.suggestedFilename());
    await callgrind.saveAs(file);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# callgrind format/);

    await row('renamed').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Export Profile' }).hover();
    const [raw] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.lm-Menu-item', { hasText: 'Export Raw vmprof File' }).click()
    ]);
    expect(raw.suggestedFilename()).toBe(`${id}.prof`);
  });

  test('imports a .prof by upload and by drop, and shows the server error for a bad file', async ({}, testInfo) => {
    await browser.locator('input.jp-vmprof-browser-file').setInputFiles(SAMPLE_PROF);
    await expect(row('mixed')).toHaveCount(1);
    await expect(row('mixed').locator('.jp-vmprof-browser-notebook')).toHaveText('no notebook');

    // Drop: a DataTransfer with a file, as the browser makes for a dragged file.
    const bytes = Array.from(fs.readFileSync(SAMPLE_PROF));
    await browser.evaluate((node, data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped.prof'));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        node.querySelector('.jp-vmprof-browser-list')!.dispatchEvent(
          new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true })
        );
      }
    }, bytes);
    await expect(row('dropped')).toHaveCount(1);

    await browser.locator('input.jp-vmprof-browser-file').setInputFiles({
      name: 'tiny.prof',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('not a profile')
    });
    const error = browser.getByRole('alert');
    await expect(error).toContainText('Cannot import tiny.prof');
    await expect(error).toContainText('too short');
    await error.getByRole('button', { name: '×' }).click();
    await expect(error).toBeHidden();

    // Widen the sidebar for the documentation picture.
    const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)').first();
    const box = await handle.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 140, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    }
    await rows().nth(1).click();
    await browser.screenshot({ path: testInfo.outputPath('profile-browser.png') });
    saveForDocs(testInfo.outputPath('profile-browser.png'), 'profile-browser.png');
  });

  test('deletes after confirmation, and cancel keeps it', async () => {
    await row('renamed').click();
    await page.keyboard.press('Delete');
    await expect(page.locator('.jp-Dialog')).toContainText('Delete "renamed <b>demo</b>"');
    await page.locator('.jp-Dialog .jp-mod-reject').click();
    await expect(row('renamed')).toHaveCount(1);

    await row('renamed').click();
    await page.keyboard.press('Delete');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(row('renamed')).toHaveCount(0);
    // Its viewer tab closed with it.
    await expect(page.locator('.jp-vmprof-viewer')).toHaveCount(0);
  });

  test('"Profile Cell with vmprof" profiles a cell without editing it', async () => {
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: NOTEBOOK }).click();
    const cell = notebook.locator('.jp-CodeCell').nth(1);
    await cell.locator('.jp-InputArea-editor').click();
    const countBefore = await rows().count();
    await runFromPalette(page, 'Profile Cell with vmprof');
    await expect(cell.locator('.jp-vmprof-profile .jp-vmprof-summary')).toHaveText(/^[\d,]+ samples( ·|,) /, {
      timeout: 180_000
    });
    await expect(cell.locator('.jp-InputPrompt')).toHaveText(/\[\d+\]/);
    await expect(cell.locator('.jp-InputArea-editor')).toHaveText(PLAIN_SOURCE.replace(/\n/g, ''));
    expect(await cell.locator('.jp-InputArea-editor').textContent()).not.toContain('%%vmprof');
    await expect(rows()).toHaveCount(countBefore + 1, { timeout: 15_000 });
    await expect(rows().first().locator('.jp-vmprof-browser-cell')).toHaveText('def plain_work():');
  });
});
