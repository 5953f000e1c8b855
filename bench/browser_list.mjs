// The Chromium half of bench/browser_list.py (run that, not this):
//   node bench/browser_list.mjs LAB_URL PROFILE_COUNT RUNS
// Opens JupyterLab in Debian's Chromium, then measures the profile browser:
// open → painted list, scrolling frame times, End → painted frame.
import { chromium } from 'playwright-core';

const [labURL, countText, runsText] = process.argv.slice(2);
const expected = Number(countText);
const runs = Number(runsText || 5);

const TAB = '.jp-SideBar .lm-TabBar-tab[data-id="jp-vmprof-browser"]';

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

const ms = value => `${value.toFixed(1)} ms`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking']
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(labURL);
  await page.locator(TAB).waitFor({ timeout: 120_000 });
  await page.locator('.jp-LabShell').waitFor();
  // Let JupyterLab finish starting (kernel specs, file browser) before timing.
  await page.waitForTimeout(2000);

  // In the page: wait until the list shows `expected` profiles and rows, then
  // two animation frames (the second starts after the first was painted).
  const waitForList = () =>
    page.evaluate(async want => {
      const done = () => {
        const count = document.querySelector('.jp-vmprof-browser-count');
        const rows = document.querySelectorAll('.jp-vmprof-browser-row:not([hidden])');
        return count && count.textContent === `${want} profiles` && rows.length > 0;
      };
      while (!done()) {
        await new Promise(resolve => requestAnimationFrame(resolve));
      }
      await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return performance.now();
    }, expected);

  const opens = [];
  for (let run = 0; run <= runs; run++) {
    // Time from the user's press on the tab (as the page saw it), not from
    // when Playwright was asked to click.
    await page.evaluate(tab => {
      performance.clearResourceTimings();
      const node = document.querySelector(tab);
      node.addEventListener('pointerdown', () => (window.__vmprofPressed = performance.now()), {
        once: true,
        capture: true
      });
    }, TAB);
    await page.locator(TAB).click();
    const after = await waitForList();
    const before = await page.evaluate(() => window.__vmprofPressed);
    const listRequest = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter(entry => /\/jupyterlab-vmprof\/profiles\?/.test(entry.name))
        .map(entry => ({ url: entry.name.replace(/^.*\/profiles/, 'profiles'), ms: entry.duration, bytes: entry.transferSize }))
    );
    opens.push({ ms: after - before, requests: listRequest });
    // Hide it again (a click on the active tab collapses the sidebar).
    await page.locator(TAB).click();
    await page.locator('#jp-vmprof-browser').waitFor({ state: 'hidden' });
  }
  await page.locator(TAB).click();
  await waitForList();

  // Poll and probe requests during the scroll below, to tell their cost apart.
  await page.evaluate(() => performance.clearResourceTimings());
  const first = opens[0];
  console.log(`open with ${expected} profiles, first time (list fetched): ${ms(first.ms)}`);
  for (const request of first.requests) {
    console.log(`  request ${request.url}: ${ms(request.ms)}, ${(request.bytes / 1024).toFixed(0)} KiB`);
  }
  const later = stats(opens.slice(1).map(open => open.ms));
  console.log(
    `open again (list held, probe only), ${later.n} runs: p50 ${ms(later.p50)}, max ${ms(later.max)}`
  );

  // Main-thread time by kind (script, style, layout) from Chromium itself,
  // so the list's own cost shows apart from other processes on the machine.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => {
    const { metrics: list } = await cdp.send('Performance.getMetrics');
    return Object.fromEntries(list.map(m => [m.name, m.value]));
  };
  const costPerFrame = (before, after, frameCount) =>
    ['ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration', 'TaskDuration']
      .map(key => `${key.replace('Duration', '').toLowerCase()} ${ms(((after[key] - before[key]) * 1000) / frameCount)}`)
      .join(', ');

  // Baseline: the same frame loop for 3 s with nothing scrolling, on this machine now.
  const idleBefore = await metrics();
  const idle = await page.evaluate(async () => {
    const intervals = [];
    let last = await new Promise(resolve => requestAnimationFrame(resolve));
    const start = last;
    while (last - start < 3000) {
      const now = await new Promise(resolve => requestAnimationFrame(resolve));
      intervals.push(now - last);
      last = now;
    }
    return intervals;
  });
  const idleAfter = await metrics();
  const idleFrames = stats(idle);
  console.log(
    `idle baseline (no scrolling) 3 s: ${idleFrames.n} frames, interval p50 ${ms(idleFrames.p50)}, ` +
      `p95 ${ms(idleFrames.p95)}, max ${ms(idleFrames.max)}, ` +
      `${idle.filter(v => v > 1.5 * idleFrames.p50).length} frames over 1.5× p50; ` +
      `main thread per frame: ${costPerFrame(idleBefore, idleAfter, idle.length)}`
  );

  // Scroll the whole list at a steady 3,000 px/s, one step per frame.
  // VMPROF_BENCH_TRACE=file.json records a Chromium trace of it (DevTools, Performance tab).
  const tracePath = process.env.VMPROF_BENCH_TRACE;
  if (tracePath) {
    await browser.startTracing(page, { path: tracePath, screenshots: false });
  }
  const scrollBefore = await metrics();
  const scroll = await page.evaluate(async () => {
    const list = document.querySelector('.jp-vmprof-browser-list');
    list.scrollTop = 0;
    const longTasks = [];
    const observer = new PerformanceObserver(entries => {
      for (const entry of entries.getEntries()) {
        longTasks.push(entry.duration);
      }
    });
    observer.observe({ type: 'longtask', buffered: false });
    const intervals = [];
    const bottom = list.scrollHeight - list.clientHeight;
    let last = await new Promise(resolve => requestAnimationFrame(resolve));
    const startTime = last;
    while (list.scrollTop < bottom - 1) {
      const now = await new Promise(resolve => requestAnimationFrame(resolve));
      intervals.push(now - last);
      list.scrollTop = Math.min(bottom, ((now - startTime) / 1000) * 3000);
      last = now;
    }
    observer.disconnect();
    const rowsInDom = list.querySelectorAll('.jp-vmprof-browser-row').length;
    const requests = performance
      .getEntriesByType('resource')
      .filter(entry => /\/jupyterlab-vmprof\//.test(entry.name))
      .map(entry => entry.name.replace(/^.*\/jupyterlab-vmprof\//, '').replace(/&\d+$/, ''));
    return { intervals, longTasks, seconds: (last - startTime) / 1000, pixels: bottom, rowsInDom, requests };
  });
  const scrollAfter = await metrics();
  if (tracePath) {
    await browser.stopTracing();
    console.log(`trace of the scroll: ${tracePath}`);
  }
  const frames = stats(scroll.intervals);
  const slow = scroll.intervals.filter(v => v > 1.5 * frames.p50).length;
  console.log(
    `scroll ${scroll.pixels} px in ${scroll.seconds.toFixed(2)} s: ${frames.n} frames, ` +
      `interval p50 ${ms(frames.p50)}, p95 ${ms(frames.p95)}, max ${ms(frames.max)}; ` +
      `${slow} frames over 1.5× p50; long tasks: ${scroll.longTasks.length}` +
      (scroll.longTasks.length ? ` (${scroll.longTasks.map(ms).join(', ')})` : '') +
      `; row elements in the DOM: ${scroll.rowsInDom}`
  );
  const counts = {};
  for (const url of scroll.requests) {
    counts[url] = (counts[url] ?? 0) + 1;
  }
  console.log(`  main thread per frame: ${costPerFrame(scrollBefore, scrollAfter, scroll.intervals.length)}`);
  console.log(`  requests meanwhile: ${JSON.stringify(counts)}`);

  // Keyboard: Home, then End jumps 1,000 rows.
  await page.locator('.jp-vmprof-browser-list').focus();
  await page.keyboard.press('Home');
  const endMs = await page.evaluate(async () => {
    const list = document.querySelector('.jp-vmprof-browser-list');
    const start = performance.now();
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true, cancelable: true }));
    await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const selected = list.querySelector('.jp-vmprof-browser-row.jp-mod-selected');
    return { ms: performance.now() - start, selected: selected?.getAttribute('aria-posinset') };
  });
  console.log(`End key: row ${endMs.selected} selected and painted in ${ms(endMs.ms)}`);
} finally {
  await browser.close();
}
