// The 100,000-node flame graph inside a real JupyterLab, in Debian's Chromium:
//   node bench/flame_100k_lab.mjs [NODES] [RUNS] [--variant NAME=LABEXTENSION_DIR]...
// Without --variant it measures jupyterlab_vmprof/labextension (build it
// first: `jlpm build:lib && jupyter labextension build .`). To compare with
// another build (e.g. the previous commit's, built in a `git archive` copy), pass
// both, e.g. --variant before=/tmp/before/jupyterlab_vmprof/labextension
// --variant after=jupyterlab_vmprof/labextension.
//
// Per variant: one JupyterLab (as ui-tests/start-lab.sh starts it: temporary
// root, store, settings; the labextension snapshot first on JUPYTER_PATH) whose
// store holds profiles with the synthetic Graph JSON of synthetic_graph.ts
// (bench/flame_100k_lab.py), each in a saved notebook. Per run, a fresh browser
// context (empty caches) and three cases, read from the views' User Timing marks:
//   cold      — the page loads with the notebook open (JupyterLab just started):
//               plotly is fetched, compiled and evaluated for this output;
//   preloaded — the page loads on the launcher, plotly is preloaded when idle,
//               then another profile is opened in the profile browser's viewer;
//   warm      — a third profile opened in the viewer of the cold page (plotly
//               already drawn there). The viewer starts no kernel; the cold
//               notebook does (autoStartDefaultKernel, as in the UI tests).
// "first view" is from the renderer's Graph JSON request to the frame
// painted after plotly's draw; "from graph" from the Graph JSON's
// arrival, comparable to bench/flame_100k.mjs. Raw runs: bench/out/flame_100k_lab.json.
import { execFileSync, spawn } from 'child_process';
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const args = process.argv.slice(2);
const variants = [];
for (let i = args.indexOf('--variant'); i >= 0; i = args.indexOf('--variant', i + 2)) {
  const [name, dir] = args[i + 1].split('=');
  variants.push({ name, dir: path.resolve(dir) });
  args.splice(i, 2, '', '');
}
const [nodes, runs] = [Number(args.filter(Boolean)[0] || 100_000), Number(args.filter(Boolean)[1] || 5)];
if (variants.length === 0) {
  variants.push({ name: 'current', dir: path.join(root, 'jupyterlab_vmprof', 'labextension') });
}
const python = path.join(root, '.venv', 'bin', 'python');
const SOURCE = path.join(root, 'test-data', 'profiles', 'vmprof-0.6.0', 'mixed.prof');
const TOKEN = 'flame-100k-bench';
const MARK = 'jp-vmprof:';
// Enough for the idle preload (requestIdleCallback, 5 s timeout at most) to finish.
const PRELOAD_WAIT_MS = 8000;

/** The synthetic Graph JSON, made by the same code as the standalone benchmark's. */
async function graphFile(work) {
  const bundle = path.join(here, 'out', 'synthetic_graph.cjs');
  await esbuild.build({ entryPoints: [path.join(here, 'synthetic_graph.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error' });
  const { syntheticGraph } = await import(bundle);
  const file = path.join(work, 'graph.json');
  fs.writeFileSync(file, JSON.stringify(syntheticGraph(nodes)));
  return file;
}

function freePort() {
  return new Promise(resolve => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** JupyterLab with this labextension and a store of `notebooks` profiles; returns {url, stop}. */
async function startLab(variant, graph, notebooks) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprof-flame-lab-'));
  for (const dir of ['root', 'store', 'workspaces', 'settings/@jupyterlab/notebook-extension', 'settings/@jupyterlab/apputils-extension']) {
    fs.mkdirSync(path.join(work, dir), { recursive: true });
  }
  fs.writeFileSync(path.join(work, 'settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings'), '{"autoStartDefaultKernel": true}');
  fs.writeFileSync(path.join(work, 'settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings'), '{"fetchNews": "false"}');
  fs.cpSync(variant.dir, path.join(work, 'jupyter', 'labextensions', 'jupyterlab-vmprof'), { recursive: true, dereference: true });
  const env = {
    ...process.env,
    PATH: `${path.join(root, '.venv', 'bin')}:${process.env.PATH}`,
    PYTHONPATH: root,
    JUPYTER_PATH: path.join(work, 'jupyter'),
    JUPYTERLAB_VMPROF_STORE: path.join(work, 'store'),
    JUPYTERLAB_SETTINGS_DIR: path.join(work, 'settings'),
    JUPYTERLAB_WORKSPACES_DIR: path.join(work, 'workspaces')
  };
  const ids = {};
  for (const nb of notebooks) {
    ids[nb] = execFileSync(python, [path.join(here, 'flame_100k_lab.py'), env.JUPYTERLAB_VMPROF_STORE, graph, SOURCE, path.join(work, 'root', nb)], { env }).toString().trim();
  }
  const port = await freePort();
  const lab = spawn('jupyter', ['lab', '--no-browser', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${TOKEN}`, '--allow-root', '--ServerApp.password=', `--ServerApp.root_dir=${path.join(work, 'root')}`,
    "--ServerApp.jpserver_extensions={'jupyterlab_vmprof': True}", '--LabApp.news_url=None', '--LabApp.expose_app_in_browser=True',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  lab.stderr.on('data', d => (log += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/status?token=${TOKEN}`)).ok) break;
    } catch { /* not up yet */ }
    if (i > 600 || lab.exitCode !== null) throw new Error(`JupyterLab did not start:\n${log}`);
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    url,
    ids,
    stop: async () => {
      lab.kill('SIGTERM');
      await new Promise(r => (lab.exitCode !== null ? r() : lab.on('exit', r)));
      fs.rmSync(work, { recursive: true, force: true });
    }
  };
}

/**
 * Watches, in every page, for flame plots whose boxes are drawn: the time of
 * the first animation frame after that (the draw is synchronous), and of the
 * next one (that frame painted). From the DOM, so that builds without the
 * views' User Timing marks (before they existed) are measured the same way.
 */
function watchFlames() {
  window.__flames = [];
  const plots = document.getElementsByClassName('jp-vmprof-flame'); // live, cheap to poll
  const poll = () => {
    for (const plot of plots) {
      if (!plot.dataset.benchSeen && plot.querySelector('g.slice')) {
        plot.dataset.benchSeen = '1';
        const drawn = performance.now();
        requestAnimationFrame(() => window.__flames.push({ drawn, painted: performance.now() }));
      }
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}

/** The first flame view painted after `since`, timed from its Graph JSON request (resource timing) and the views' marks. */
async function firstView(page, since) {
  await page.waitForFunction(t => window.__flames.some(f => f.drawn >= t), since, { timeout: 120_000 });
  return page.evaluate(([prefix, t]) => {
    const { painted } = window.__flames.find(f => f.drawn >= t);
    const graph = performance.getEntriesByType('resource').find(e => /\/profiles\/[^/]+\/graph/.test(e.name) && e.startTime >= t);
    const at = {};
    for (const m of performance.getEntriesByType('mark')) {
      if (m.name.startsWith(prefix) && m.startTime >= t && !(m.name.slice(prefix.length) in at)) at[m.name.slice(prefix.length)] = m.startTime;
    }
    // The renderer's start (it asks for plotly at the same time, unless the
    // idle preload did earlier).
    const start = graph.startTime;
    const plotlyAsked = at['plotly-requested'] ?? start;
    // Our chunks fetched for this view (the cold page's include plotly's).
    const scripts = performance.getEntriesByType('resource').filter(e => e.name.includes('/jupyterlab-vmprof/static/') && e.startTime >= t);
    return {
      firstViewMs: painted - start,
      plotlyAskedBeforeMs: start - plotlyAsked,
      labelled: [...document.querySelectorAll('.jp-vmprof-flame[data-bench-seen] text.slicetext')].filter(t => t.textContent.trim() !== '' && t.textContent !== '\u200b').length,
      fromGraphMs: painted - graph.responseEnd,
      fromPageLoadMs: painted,
      graphMs: graph.responseEnd - graph.startTime,
      plotlyMs: 'plotly-ready' in at ? at['plotly-ready'] - at['plotly-requested'] : NaN,
      scriptsKB: scripts.reduce((s, e) => s + e.encodedBodySize, 0) / 1024,
      drawMs: at['flame-drawn'] - Math.max(at['flame-built'], at['plotly-ready'] ?? 0),
      boxes: document.querySelectorAll('.jp-vmprof-flame[data-bench-seen] g.slice').length,
      note: document.querySelector('.jp-vmprof-flame-note')?.textContent ?? ''
    };
  }, [MARK, since]);
}

/** The profile browser's viewer of a store profile (no kernel starts); returns nothing, which Playwright would serialize. */
const openProfile = (page, id) => page.evaluate(i => window.jupyterapp.commands.execute('vmprof:open', { id: i }).then(() => undefined), id);
const now = page => page.evaluate(() => performance.now());

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vmprof-flame-graph-'));
const graph = await graphFile(work);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
});
const results = {};
try {
  for (const variant of variants) {
    const notebooks = ['cold.ipynb', 'preloaded.ipynb', 'warm.ipynb'];
    const lab = await startLab(variant, graph, notebooks);
    results[variant.name] = [];
    try {
      for (let run = 0; run < runs; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        await context.addInitScript(watchFlames);
        const page = await context.newPage();
        // A workspace per page: no tabs restored from an earlier run.
        await page.goto(`${lab.url}/lab/workspaces/cold-${run}/tree/cold.ipynb?token=${TOKEN}`);
        const cold = await firstView(page, 0);
        const since = await now(page);
        await openProfile(page, lab.ids['warm.ipynb']);
        const warm = await firstView(page, since);
        await context.close();

        const context2 = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        await context2.addInitScript(watchFlames);
        const page2 = await context2.newPage();
        await page2.goto(`${lab.url}/lab/workspaces/pre-${run}?token=${TOKEN}`);
        // plotly preloaded: its chunk fetched (idle callback after app.restored), then evaluated.
        await page2.waitForFunction(() => window.jupyterapp?.restored, null, { timeout: 120_000 });
        await page2.evaluate(() => window.jupyterapp.restored);
        await page2.waitForTimeout(PRELOAD_WAIT_MS);
        const since2 = await now(page2);
        await openProfile(page2, lab.ids['preloaded.ipynb']);
        const preloaded = await firstView(page2, since2);
        await context2.close();
        results[variant.name].push({ cold, preloaded, warm });
        console.log(`${variant.name} run ${run + 1}: cold ${cold.firstViewMs.toFixed(0)} ms, preloaded ${preloaded.firstViewMs.toFixed(0)} ms, warm ${warm.firstViewMs.toFixed(0)} ms`);
      }
    } finally {
      await lab.stop();
    }
  }
} finally {
  await browser.close();
  fs.rmSync(work, { recursive: true, force: true });
}

const median = xs => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const columns = [['first view', 'firstViewMs'], ['from graph', 'fromGraphMs'], ['page load→', 'fromPageLoadMs'], ['graph GET', 'graphMs'],
  ['plotly load', 'plotlyMs'], ['our js kB', 'scriptsKB'], ['plotly draw', 'drawMs']];
console.log(`tree nodes: ${nodes.toLocaleString('en')}; ${runs} runs, medians in ms`);
console.log(['variant', 'case', ...columns.map(c => c[0])].map(s => s.padStart(12)).join(''));
for (const [name, rows] of Object.entries(results)) {
  for (const when of ['cold', 'preloaded', 'warm']) {
    const cells = columns.map(([, k]) => median(rows.map(r => r[when][k])).toFixed(0));
    console.log([name, when, ...cells].map(s => String(s).padStart(12)).join(''));
  }
}
for (const [name, rows] of Object.entries(results)) {
  console.log(`${name}: boxes drawn ${rows[0].cold.boxes}; the view says: ${rows[0].cold.note}`);
}
fs.mkdirSync(path.join(here, 'out'), { recursive: true });
fs.writeFileSync(path.join(here, 'out', 'flame_100k_lab.json'), JSON.stringify({ nodes, runs, variants, results }, null, 1));
