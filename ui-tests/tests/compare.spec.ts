/**
 * Comparing two profiles end to end in a real JupyterLab: two real .prof
 * files imported through the REST API, chosen in the sidebar with
 * Ctrl-click and compared from the context menu, and again from the keyboard
 * only (palette → "Compare with…" dialog). The "A vs B" tab shows the bar
 * chart and the table with known functions and nonzero deltas. (A profile
 * against itself, all deltas 0, is in py-tests/test_diff.py and diff.test.ts.)
 * With VMPROF_UI_SCREENSHOTS=1, writes docs/images/compare.png.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, Locator, Page, test } from '@playwright/test';
import { runFromPalette, saveForDocs, TOKEN } from './helpers';

const REPO = path.resolve(__dirname, '..', '..');
const GENERATED = path.join(REPO, 'test-data/profiles/generated');
const NAME_A = 'cmp-mixed';
const NAME_B = 'cmp-numpy';

async function importProfile(page: Page, file: string, name: string): Promise<string> {
  const response = await page.request.post(
    `/jupyterlab-vmprof/profiles?name=${encodeURIComponent(name)}`,
    {
      headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/octet-stream' },
      data: fs.readFileSync(path.join(GENERATED, file))
    }
  );
  expect(response.status()).toBe(201);
  return (await response.json()).id as string;
}

test.describe.serial('compare two profiles', () => {
  let page: Page;
  let browser: Locator;
  const row = (name: string) =>
    browser
      .locator('.jp-vmprof-browser-row:not([hidden])')
      .filter({ has: page.locator('.jp-vmprof-browser-name', { hasText: name }) });

  test.beforeAll(async ({ browser: chromium }) => {
    page = await chromium.newPage();
    await importProfile(page, 'mixed.prof', NAME_A);
    await importProfile(page, 'numpy_work.prof', NAME_B);
    await page.goto(`/lab?token=${TOKEN}&reset`);
    await expect(page.locator('#jp-main-dock-panel')).toBeVisible({ timeout: 120_000 });
    // The launcher comes last at start-up: before it, the palette is still being rebuilt.
    await expect(page.locator('.jp-Launcher').first()).toBeVisible({ timeout: 120_000 });
    await runFromPalette(page, 'Show vmprof Profiles');
    browser = page.locator('#jp-vmprof-browser');
    await expect(row(NAME_A)).toHaveCount(1, { timeout: 30_000 });
    await expect(row(NAME_B)).toHaveCount(1);
  });

  test.afterAll(async () => {
    await page.close();
  });

  test('Ctrl-click picks the pair; the context menu compares it', async ({}, testInfo) => {
    await row(NAME_A).click();
    await row(NAME_B).click({ modifiers: ['Control'] });
    await expect(row(NAME_A)).toHaveClass(/jp-vmprof-browser-partner/);
    await expect(row(NAME_B)).toHaveClass(/jp-mod-selected/);

    await row(NAME_B).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: `Compare with “${NAME_A}”` }).click();

    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: `${NAME_A} vs ${NAME_B}` });
    await expect(tab).toHaveCount(1);
    const view = page.locator('.jp-vmprof-compare-viewer:not(.lm-mod-hidden) .jp-vmprof-diff');
    const table = view.locator('table.jp-vmprof-diff-table');
    await expect(table).toBeVisible();
    await expect(view.locator('.jp-vmprof-diff-summary')).toHaveText(
      `A: ${NAME_A} (758 samples) · B: ${NAME_B} (208 samples) · Δ = B − A in percentage points of each profile's samples`
    );

    // step runs only in numpy_work.prof: absent from A, up in B.
    const step = table.locator('tbody tr').filter({ has: page.locator('td.jp-vmprof-name', { hasText: /^step$/ }) });
    await expect(step).toHaveCount(1);
    const cells = step.locator('td');
    await expect(cells.nth(1)).toHaveText(/^workloads\.py:\d+$/);
    await expect(cells.nth(2)).toHaveText('–');
    await expect(cells.nth(7)).toHaveText(/^\+\d+\.\d$/);
    await expect(cells.nth(7)).toHaveClass(/jp-vmprof-diff-up/);
    // hot_70 runs only in mixed.prof: down.
    const hot = table.locator('tbody tr').filter({ has: page.locator('td.jp-vmprof-name', { hasText: /^hot_70$/ }) });
    await expect(hot.locator('td').nth(7)).toHaveText(/^−\d+\.\d$/);
    await expect(hot.locator('td').nth(7)).toHaveClass(/jp-vmprof-diff-down/);
    // Up and down have different theme colours.
    const up = await cells.nth(7).evaluate(td => getComputedStyle(td).color);
    const down = await hot.locator('td').nth(7).evaluate(td => getComputedStyle(td).color);
    expect(up).not.toBe(down);

    // The chart: a bar per function whose self share changed, at most 20: here 14, since
    // without symbol files each profile's unnamed native code is one function.
    await expect(view.locator('.jp-vmprof-diff-plot .main-svg').first()).toBeVisible();
    await expect(view.locator('.jp-vmprof-diff-plot .bars .point')).toHaveCount(14);

    await page.screenshot({ path: testInfo.outputPath('compare.png') });
    saveForDocs(testInfo.outputPath('compare.png'), 'compare.png');

    // The filter narrows the table; names are text.
    await view.locator('input.jp-vmprof-diff-filter').fill('hot_70');
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(view.locator('.jp-vmprof-diff-count')).toHaveText(/^1 of \d+ functions match$/);
    await view.locator('input.jp-vmprof-diff-filter').fill('');
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(20);
    // The pair was used up: the partner mark is gone.
    await expect(row(NAME_A)).not.toHaveClass(/jp-vmprof-browser-partner/);
  });

  test('keyboard only: palette, then choose B in the dialog', async () => {
    // Select A with the keyboard: focus the list, move to A.
    await browser.getByRole('listbox', { name: 'Profiles, newest first' }).focus();
    await page.keyboard.press('Home');
    // Both were imported within one second, so their order in the list is not fixed.
    const index = Number(await row(NAME_A).getAttribute('data-index'));
    for (let i = 0; i < index; i++) {
      await page.keyboard.press('ArrowDown');
    }
    await expect(row(NAME_A)).toHaveClass(/jp-mod-selected/);

    await runFromPalette(page, 'Compare with…');
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(`Compare “${NAME_A}” (A) with…`);
    const select = dialog.locator('select');
    await select.focus();
    // A is left out, so B, the only other profile, is the first choice and already chosen.
    await expect(select.locator('option:checked')).toHaveText(new RegExp(`^${NAME_B} — `));
    await page.keyboard.press('Enter');

    // Already open: the same tab comes forward, no second one.
    const tabs = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: ' vs ' });
    await expect(tabs).toHaveCount(1);
    await expect(tabs.first()).toHaveClass(/lm-mod-current/);
  });
});
