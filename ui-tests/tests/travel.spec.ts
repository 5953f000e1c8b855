/**
 * A notebook saved with profile outputs, opened where the profile store does
 * not have them (another machine, a deleted profile): every view draws from
 * the copy saved in the output, the output says so, and "Import into my
 * profile browser" brings the profile into this server's store, after which
 * the output shows it from the store and the browser lists it.
 *
 * The notebook is made for real: `jupyter nbconvert --execute` in a fresh
 * kernel whose store is a folder of its own, never this JupyterLab's.
 */
import { expect, test } from '@playwright/test';
import { executedElsewhere } from './executed';
import { codeCell, collectDialogs, notebookOf, openNotebook, putNotebook, runFromPalette, TOKEN } from './helpers';

const NOTEBOOK = 'travelled.ipynb';

test('a saved profile output renders everywhere from its copy, and imports into the browser', async ({
  page
}, testInfo) => {
  const dialogs = collectDialogs(page);
  const notebook = executedElsewhere();
  const data = notebook.cells[0].outputs.find((o: any) => o.data?.['application/vnd.jupyterlab-vmprof.profile+json'])
    .data['application/vnd.jupyterlab-vmprof.profile+json'];
  expect(data.embedded.format).toBe('jupyterlab-vmprof-embedded');
  const samples: number = data.samples;
  await putNotebook(page, NOTEBOOK, notebook);
  // This server's store has never seen the profile.
  const missing = await page.request.get(`/jupyterlab-vmprof/profiles/${data.id}`, {
    headers: { Authorization: `token ${TOKEN}` }
  });
  expect(missing.status()).toBe(404);

  const panel = await openNotebook(page, NOTEBOOK);
  const output = panel.locator('.jp-vmprof-profile').first();
  const bar = output.locator('.jp-vmprof-copy-bar');
  await expect(bar).toBeVisible({ timeout: 60_000 });
  await expect(bar).toContainText('shown from the copy saved in the notebook output');
  await expect(output.locator('.jp-vmprof-profile-error')).toBeHidden();

  // Flame graph, with the sample count the kernel measured: the kernel counted every thread,
  // the view shows the cell's and says how many samples of kernel threads it hides.
  await expect(output.locator('.js-plotly-plot').first()).toBeVisible({ timeout: 120_000 });
  await expect(output.locator('.jp-vmprof-flame g.slice').first()).toBeVisible();
  const summary = output.locator('.jp-vmprof-summary');
  await expect(summary).toHaveText(/^[\d,]+ samples? · /);
  expect(samplesOf(await summary.textContent())).toBe(samples);
  await output.screenshot({ path: testInfo.outputPath('from-copy-flame.png') });

  // Table: the cell's function by name, self percentages adding up to 100 %.
  await output.getByRole('button', { name: 'Table' }).click();
  const table = output.locator('.jp-vmprof-table-view table.jp-vmprof-table');
  await expect(table.locator('td.jp-vmprof-name', { hasText: 'travel_work' }).first()).toBeVisible();
  const selfPercents = await table.locator('tbody tr td:first-child').allTextContents();
  const tenths = selfPercents.reduce((sum, t) => sum + Math.round(parseFloat(t) * 10), 0);
  expect(Math.abs(tenths - 1000)).toBeLessThanOrEqual(selfPercents.length); // rounding of each row

  // Callers of the selected function, its lines, the timeline.
  await table.locator('td.jp-vmprof-name', { hasText: 'travel_work' }).first().click();
  const callers = output.locator('.jp-vmprof-callers-view');
  await expect(callers.locator('.jp-vmprof-callers-name')).toHaveText('travel_work');
  await output.getByRole('button', { name: 'Lines' }).click();
  const lines = output.locator('.jp-vmprof-lines-view');
  await expect(lines.locator('.js-plotly-plot')).toBeVisible();
  await expect(lines.locator('tbody tr').first()).toBeVisible();
  await output.getByRole('button', { name: 'Timeline' }).click();
  await expect(output.locator('.jp-vmprof-timeline-view .js-plotly-plot')).toBeVisible();
  await output.screenshot({ path: testInfo.outputPath('from-copy-timeline.png') });

  // Import: the raw profile saved in the output goes to this server's store, same id.
  await bar.getByRole('button', { name: 'Import into my profile browser' }).click();
  await expect(bar).toBeHidden({ timeout: 60_000 });
  const stored = await page.request.get(`/jupyterlab-vmprof/profiles/${data.id}`, {
    headers: { Authorization: `token ${TOKEN}` }
  });
  expect(stored.status()).toBe(200);
  expect((await stored.json()).name).toBe('travelled');
  // From the store now: exports work, and the sample count is the same.
  await output.getByRole('button', { name: 'Flame' }).click();
  await expect(output.getByRole('button', { name: /^Export / })).toBeEnabled();
  await expect
    .poll(async () => samplesOf(await output.locator('.jp-vmprof-summary').textContent()), { timeout: 60_000 })
    .toBe(samples);

  await runFromPalette(page, 'Show vmprof Profiles');
  const browser = page.locator('#jp-vmprof-browser');
  await expect(browser.locator('.jp-vmprof-browser-name', { hasText: 'travelled' })).toBeVisible({ timeout: 60_000 });
  expect(dialogs).toEqual([]);
});

test('a kernel on a store the server cannot read still shows its profile from the server', async ({ page }) => {
  const remote = 'remote-kernel.ipynb';
  const remoteCells = [
    // As a kernel on another host or in a container: a store of its own, nothing shared.
    codeCell(
      'import os, tempfile\nos.environ["JUPYTERLAB_VMPROF_STORE"] = tempfile.mkdtemp(prefix="elsewhere-")\n' +
        'print(os.environ["JUPYTERLAB_VMPROF_STORE"])',
      'elsewhere'
    ),
    codeCell(
      '%%vmprof --name from-afar\ndef far_work(n):\n    return sum(i % 7 for i in range(n))\nfar_work(3_000_000)',
      'far'
    )
  ];
  await putNotebook(page, remote, notebookOf(remoteCells));
  const panel = await openNotebook(page, remote);
  const cells = panel.locator('.jp-CodeCell');
  await cells.nth(0).locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
  await expect(cells.nth(0).locator('.jp-OutputArea-output')).toContainText('elsewhere-');
  await cells.nth(1).locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');

  const output = cells.nth(1).locator('.jp-vmprof-profile');
  await expect(output.locator('.js-plotly-plot').first()).toBeVisible({ timeout: 180_000 });
  // Drawn from the server's store once the profile came over the kernel protocol: no copy
  // notice, exports on.
  await expect(output.locator('.jp-vmprof-copy-bar')).toBeHidden({ timeout: 60_000 });
  await expect(output.getByRole('button', { name: /^Export / })).toBeEnabled({ timeout: 60_000 });
  const id = await output.getAttribute('data-profile-id');
  const stored = await page.request.get(`/jupyterlab-vmprof/profiles/${id}`, {
    headers: { Authorization: `token ${TOKEN}` }
  });
  expect(stored.status()).toBe(200);
  const meta = await stored.json();
  expect(meta.name).toBe('from-afar');
  expect(meta.transferred).toBe(true);
  // The kernel counted every thread; the view shows the cell's and names what it hides.
  const remoteSummary = output.locator('.jp-vmprof-summary');
  await expect(remoteSummary).toHaveText(/^[\d,]+ samples? · /);
  expect(samplesOf(await remoteSummary.textContent())).toBe(meta.samples);
});

/** Samples shown plus the kernel threads' samples the summary says it hides. */
function samplesOf(summary: string | null): number {
  const countIn = (pattern: RegExp) => Number(((summary ?? '').match(pattern)?.[1] ?? '0').replace(/,/g, ''));
  return countIn(/^([\d,]+) sample/) + countIn(/hidden, ([\d,]+) sample/);
}
