/**
 * The differential flame graph end to end: two real %%vmprof cells in a
 * real kernel, the second doing ten times the work in `grow` and a tenth in
 * `shrink`, compared from the sidebar. Checks, from the plotly div's data
 * and from what is drawn, that grow's box is red (slower: a larger share of
 * B) and shrink's blue, that the legend and tooltip say so in text, and
 * that a function named like an HTML tag shows as text and runs nothing.
 * With VMPROF_UI_SCREENSHOTS=1, writes docs/images/compare-diff.png.
 *
 * Then the "Include kernel threads" switch: two `--real-time` cells (where the
 * kernel's idle threads are sampled while they wait), compared; ticking the
 * box grows each side's sample count by exactly the kernel samples its note
 * said were hidden, and unticking it goes back.
 */
import { expect, Locator, Page, test } from '@playwright/test';
import {
  codeCell,
  collectDialogs,
  notebookOf,
  openNotebook,
  putNotebook,
  runFromPalette,
  saveForDocs
} from './helpers';

const NOTEBOOK = 'compare-diff.ipynb';
const HOSTILE = '<img src=x onerror=alert(1)>';
const DEFS =
  'def grow(n):\n' +
  '    total = 0\n' +
  '    for i in range(n):\n' +
  '        total += i * i % 7\n' +
  '    return total\n' +
  'def shrink(n):\n' +
  '    total = 0\n' +
  '    for i in range(n):\n' +
  '        total += i * i % 11\n' +
  '    return total\n' +
  'def hostile(n):\n' +
  '    total = 0\n' +
  '    for i in range(n):\n' +
  '        total += i % 3\n' +
  '    return total\n' +
  // vmprof records co_name: a name no def could spell.
  `hostile.__code__ = hostile.__code__.replace(co_name=${JSON.stringify(HOSTILE)})\n`;
const BEFORE = `%%vmprof --name diff-before\n${DEFS}grow(300_000); shrink(3_000_000)`;
const AFTER = `%%vmprof --name diff-after\n${DEFS}grow(3_000_000); shrink(300_000); hostile(600_000)`;

interface IPlotData {
  labels: string[];
  marker: { colors: string[] };
  hovertext: string[];
}

/** The [r, g, b] of `#rrggbb` or `rgb(r, g, b)`. */
function rgb(color: string): number[] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) {
    return [1, 2, 3].map(i => parseInt(hex[i], 16));
  }
  return (/rgba?\(([^)]*)\)/.exec(color)?.[1] ?? '').split(',').slice(0, 3).map(Number);
}

test.describe.serial('differential flame graph', () => {
  let page: Page;
  let dialogs: string[];

  test.beforeAll(async ({ browser: chromium }) => {
    page = await chromium.newPage();
    dialogs = collectDialogs(page);
    await putNotebook(page, NOTEBOOK, notebookOf([codeCell(BEFORE, 'before'), codeCell(AFTER, 'after')]));
  });

  test.afterAll(async () => {
    await page.close();
  });

  test('grow is red, shrink blue, in data and on screen', async ({}, testInfo) => {
    const notebook = await openNotebook(page, NOTEBOOK);
    for (const index of [0, 1]) {
      const cell = notebook.locator('.jp-CodeCell').nth(index);
      await cell.locator('.jp-InputArea-editor').click();
      await page.keyboard.press('Shift+Enter');
      await expect(cell.locator('.jp-vmprof-profile .jp-vmprof-summary')).toHaveText(GRAPH_SUMMARY, {
        timeout: 180_000
      });
    }

    await runFromPalette(page, 'Show vmprof Profiles');
    const browser = page.locator('#jp-vmprof-browser');
    const row = (name: string) =>
      browser
        .locator('.jp-vmprof-browser-row:not([hidden])')
        .filter({ has: page.locator('.jp-vmprof-browser-name', { hasText: name }) });
    await expect(row('diff-after')).toHaveCount(1, { timeout: 30_000 });
    await row('diff-before').click();
    await row('diff-after').click({ modifiers: ['Control'] });
    await row('diff-after').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Compare with “diff-before”' }).click();

    const view = page.locator('.jp-vmprof-compare-viewer:not(.lm-mod-hidden) .jp-vmprof-diff');
    const flame = view.locator('.jp-vmprof-diff-flame');
    const plot = flame.locator('.jp-vmprof-diff-flame-plot');
    await expect(plot.locator('.main-svg').first()).toBeVisible({ timeout: 60_000 });
    await expect(flame.locator('.jp-vmprof-diff-flame-heading')).toHaveText('Differential flame graph');
    await expect(flame.locator('.jp-vmprof-diff-flame-note')).toContainText(
      "B − A in percentage points of each profile's own samples"
    );
    const legend = flame.locator('.jp-vmprof-diff-flame-legend-entry');
    await expect(legend).toHaveCount(5);
    await expect(legend.first()).toHaveText(/^\+\d+\.\d\d pp slower$/);
    await expect(legend.last()).toHaveText(/^−\d+\.\d\d pp faster$/);

    // The plotly div's data: one box each, red for grow, blue for shrink.
    const data = await plot.evaluate(div => {
      const trace = (div as unknown as { data: IPlotData[] }).data[0];
      return { labels: trace.labels, colors: trace.marker.colors, hover: trace.hovertext };
    });
    const boxes = (name: string) => data.labels.map((l, i) => (l === name ? i : -1)).filter(i => i >= 0);
    expect(boxes('grow')).toHaveLength(1);
    expect(boxes('shrink')).toHaveLength(1);
    const [grow] = boxes('grow');
    const [shrink] = boxes('shrink');
    const [gr, , gb] = rgb(data.colors[grow]);
    const [sr, , sb] = rgb(data.colors[shrink]);
    expect(gr).toBeGreaterThan(gb + 60);
    expect(sb).toBeGreaterThan(sr + 60);
    expect(data.hover[grow]).toMatch(/self: A \d+\.\d% \(\d+ samples\) → B \d+\.\d% \(\d+ samples\), Δ \+\d+\.\d\d pp/);
    expect(data.hover[shrink]).toMatch(/Δ −\d+\.\d\d pp/);

    // On screen: the box labelled grow is filled red, shrink's blue.
    const fillOf = async (name: string, within: Locator) => {
      const slice = within
        .locator('g.slice')
        .filter({ has: page.locator('text', { hasText: new RegExp(`^${name}$`) }) });
      return rgb(
        await slice
          .locator('path.surface')
          .first()
          .evaluate(p => getComputedStyle(p).fill)
      );
    };
    const growFill = await fillOf('grow', plot);
    const shrinkFill = await fillOf('shrink', plot);
    expect(growFill[0]).toBeGreaterThan(growFill[2] + 60);
    expect(shrinkFill[2]).toBeGreaterThan(shrinkFill[0] + 60);

    // A name like a tag is a label, as text; nothing ran.
    expect(data.labels).toContain('&lt;img src=x onerror=alert(1)&gt;');
    await expect(plot.locator('text', { hasText: HOSTILE }).first()).toBeAttached();
    await expect(plot.locator('img')).toHaveCount(0);
    expect(dialogs).toEqual([]);

    // The table agrees: grow up, shrink down.
    const table = view.locator('table.jp-vmprof-diff-table');
    const tableRow = (name: string) =>
      table
        .locator('tbody tr')
        .filter({ has: page.locator('td.jp-vmprof-name', { hasText: new RegExp(`^${name}$`) }) });
    await expect(tableRow('grow').locator('td').nth(4)).toHaveClass(/jp-vmprof-diff-up/);
    await expect(tableRow('shrink').locator('td').nth(4)).toHaveClass(/jp-vmprof-diff-down/);

    // The tooltip, as shown: before, after and the change.
    const growBox = plot
      .locator('g.slice')
      .filter({ has: page.locator('text', { hasText: /^grow$/ }) })
      .locator('path.surface')
      .first();
    await growBox.hover();
    await expect(plot.locator('.hoverlayer .hovertext')).toContainText(/self: A .* → B .*, Δ \+\d+\.\d\d pp/);

    await flame.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath('compare-diff.png') });
    saveForDocs(testInfo.outputPath('compare-diff.png'), 'compare-diff.png');
  });
});

const KERNEL_NOTEBOOK = 'compare-kernel-threads.ipynb';
const realTimeCell = (name: string) =>
  `%%vmprof --real-time --name ${name}\n` +
  'import threading, time\n' +
  'def cell_work(seconds):\n' +
  '    end = time.perf_counter() + seconds\n' +
  '    while time.perf_counter() < end:\n' +
  '        sum(i * i for i in range(2000))\n' +
  "worker = threading.Thread(target=cell_work, args=(1.5,), name='cell-worker')\n" +
  'worker.start()\n' +
  'cell_work(1.5)\n' +
  'worker.join()';
/** The Compare headline's sample counts: `A: name (1,234 samples) · B: name (987 samples) · …`. */
const HEADLINE = /^A: .* \(([\d,]+) samples\) · B: .* \(([\d,]+) samples\) · /;
/** What one side of the switch's note says it hides or includes: [threads, samples], or none. */
const SIDE_NOTE = (side: string, verb: string) =>
  new RegExp(`${side}: (?:(\\d+) kernel threads? ${verb}, ([\\d,]+) samples?|none (?:hidden|to include))`);
/** A profile output's summary once its graph is shown (before: `Loading profile…`, `Profiling… 1 s so far, …`). */
const GRAPH_SUMMARY = /^(?!Profiling|Loading).*\bsamples\b/;
const count = (text: string | undefined) => Number((text ?? '0').replace(/,/g, ''));

test.describe.serial('kernel threads in a comparison', () => {
  let page: Page;

  test.beforeAll(async ({ browser: chromium }) => {
    page = await chromium.newPage();
    await putNotebook(
      page,
      KERNEL_NOTEBOOK,
      notebookOf([codeCell(realTimeCell('kt-before'), 'kt-before'), codeCell(realTimeCell('kt-after'), 'kt-after')])
    );
  });

  test.afterAll(async () => {
    await page.close();
  });

  test("the switch adds each side's hidden kernel samples, and takes them away again", async ({}, testInfo) => {
    const notebook = await openNotebook(page, KERNEL_NOTEBOOK);
    const outputOf = (index: number) => notebook.locator('.jp-CodeCell').nth(index).locator('.jp-vmprof-profile');
    const ids: string[] = ['', ''];
    // Idle kernel threads are sampled now and then, not always: run the pair again (a few times
    // at most) until one of the two profiles has kernel threads to hide.
    for (let round = 0; round < 4; round++) {
      for (const index of [0, 1]) {
        const cell = notebook.locator('.jp-CodeCell').nth(index);
        await cell.locator('.jp-InputArea-editor').click();
        await page.keyboard.press('Shift+Enter');
        const before = ids[index];
        await expect
          .poll(async () => (await outputOf(index).getAttribute('data-profile-id')) ?? before, { timeout: 180_000 })
          .not.toBe(before);
        ids[index] = (await outputOf(index).getAttribute('data-profile-id'))!;
        // The graph's own summary, not the running cell's "Profiling… 1 s so far, about 300 samples".
        await expect(outputOf(index).locator('.jp-vmprof-summary')).toHaveText(GRAPH_SUMMARY, { timeout: 180_000 });
      }
      const summaries = await Promise.all([0, 1].map(i => outputOf(i).locator('.jp-vmprof-summary').textContent()));
      if (summaries.some(text => / kernel threads? hidden, /.test(text ?? ''))) {
        break;
      }
    }
    const sampled = await Promise.all([0, 1].map(i => outputOf(i).locator('.jp-vmprof-summary').textContent()));
    test.skip(!sampled.some(text => / hidden, /.test(text ?? '')), "the kernel's threads got no sample in four rounds");

    await runFromPalette(page, 'Show vmprof Profiles');
    const browser = page.locator('#jp-vmprof-browser');
    const row = (id: string) => browser.locator(`.jp-vmprof-browser-row[data-profile-id="${id}"]`);
    await expect(row(ids[1])).toHaveCount(1, { timeout: 30_000 });
    await row(ids[0]).click();
    await row(ids[1]).click({ modifiers: ['Control'] });
    await row(ids[1]).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Compare with “kt-before”' }).click();

    const view = page.locator('.jp-vmprof-compare-viewer:not(.lm-mod-hidden) .jp-vmprof-diff');
    const summary = view.locator('.jp-vmprof-diff-summary');
    const toggle = view.locator('input.jp-vmprof-diff-kernel-toggle');
    const note = view.locator('.jp-vmprof-diff-kernel-note');
    await expect(summary).toHaveText(HEADLINE, { timeout: 60_000 });
    await expect(toggle).toBeVisible();
    await expect(toggle).not.toBeChecked();
    await expect(note).toHaveText(/ kernel threads? hidden, /);
    const noteText = (await note.textContent()) ?? '';
    const hidden = ['A', 'B'].map(side => SIDE_NOTE(side, 'hidden').exec(noteText));
    expect(hidden.every(match => match !== null)).toBe(true);
    const [, shownA, shownB] = HEADLINE.exec((await summary.textContent()) ?? '')!;

    // Ticked: both sides with every thread; each grows by what it hid, and says it is included.
    await toggle.check();
    await expect(note).toHaveText(/ included, /);
    await expect(toggle).toBeChecked();
    const withKernel = HEADLINE.exec((await summary.textContent()) ?? '')!;
    expect(count(withKernel[1])).toBe(count(shownA) + count(hidden[0]![2]));
    expect(count(withKernel[2])).toBe(count(shownB) + count(hidden[1]![2]));
    await page.screenshot({ path: testInfo.outputPath('compare-kernel-threads.png') });
    const includedText = (await note.textContent()) ?? '';
    ['A', 'B'].forEach((side, i) => {
      const included = SIDE_NOTE(side, 'included').exec(includedText);
      expect(included?.[1]).toBe(hidden[i]![1]);
      expect(included?.[2]).toBe(hidden[i]![2]);
    });

    // Unticked: back to the cell's threads.
    await toggle.uncheck();
    await expect(note).toHaveText(/ hidden, /);
    const back = HEADLINE.exec((await summary.textContent()) ?? '')!;
    expect([back[1], back[2]]).toEqual([shownA, shownB]);
  });
});
