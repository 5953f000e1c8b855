/**
 * A profiled cell run again and again: each run costs one conversion and one
 * plotly draw. The kernel's summary fills the server's conversion cache, so the
 * output's one graph request is served from it ("X-Vmprof-Cache: hit"); the
 * summary's later update of the output (update_display_data) neither fetches
 * the graph again nor draws it again.
 */
import { expect, Page, test } from '@playwright/test';
import { openNotebook } from './helpers';

const RUNS = 10;
const GRAPH_URL = /\/jupyterlab-vmprof\/profiles\/([^/?]+)\/graph/;
/** The kernel's summary update: the profile's output again, no longer running nor waiting for its summary. */
function isSummaryUpdate(text: string): boolean {
  return (
    text.includes('update_display_data') &&
    text.includes('application/vnd.jupyterlab-vmprof.profile+json') &&
    !text.includes('summary being computed') &&
    !text.includes('"progress"')
  );
}
// After the summary's update, time for a second request or draw to show if there were one.
const QUIET_MS = 2_000;

/** How many flame graphs plotly has drawn on this page (User Timing marks of the flame view). */
async function draws(page: Page): Promise<number> {
  return page.evaluate(() => performance.getEntriesByName('jp-vmprof:flame-drawn').length);
}

test('each run of a profiled cell converts once and draws once', async ({ page }) => {
  const graphRequests: { id: string; cache: string }[] = [];
  page.on('response', response => {
    const match = GRAPH_URL.exec(response.url());
    if (match) {
      graphRequests.push({ id: decodeURIComponent(match[1]), cache: response.headers()['x-vmprof-cache'] ?? '' });
    }
  });
  let summaryUpdates = 0;
  page.on('websocket', socket =>
    socket.on('framereceived', frame => {
      const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('latin1');
      if (isSummaryUpdate(text)) {
        summaryUpdates += 1;
      }
    })
  );
  const panel = await openNotebook(page, 'ui-tests/rerun.ipynb');
  const cell = panel.locator('.jp-CodeCell').first();
  const output = cell.locator('.jp-vmprof-profile');
  const seen: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const drawsBefore = await draws(page);
    const updatesBefore = summaryUpdates;
    await cell.locator('.jp-InputArea-editor').click();
    await page.keyboard.press('Control+Enter');
    await expect(output.locator('.jp-vmprof-summary')).toHaveText(/^[\d,]+ samples/, { timeout: 60_000 });
    const id = (await output.getAttribute('data-profile-id')) ?? '';
    expect(seen).not.toContain(id); // a new profile, not the last run's output
    seen.push(id);
    await expect.poll(() => summaryUpdates, { timeout: 60_000 }).toBeGreaterThan(updatesBefore);
    await page.waitForTimeout(QUIET_MS);
    const requests = graphRequests.filter(request => request.id === id);
    expect(requests, `graph requests of run ${run}`).toHaveLength(1);
    expect(requests[0].cache, `run ${run}: the server converted again instead of serving the kernel's summary`).toBe(
      'hit'
    );
    expect((await draws(page)) - drawsBefore, `plotly draws of run ${run}`).toBe(1);
  }
  expect(new Set(seen).size).toBe(RUNS);
});
