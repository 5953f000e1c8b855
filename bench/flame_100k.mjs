// Flame graph of a 100,000-node call tree in Debian's Chromium:
//   node bench/flame_100k.mjs [NODES] [RUNS]
// Bundles bench/flame_100k_page.ts (the real FlameView + plotly) with
// esbuild twice, plotly in a chunk of its own as in the labextension:
//   partial — src/views/plotly-bundle.ts (plotly.js core + our trace types)
//   full    — the plotly.js-dist-min bundle the views used before
// serves both over HTTP and, per run and variant, opens a fresh browser
// context (empty caches) and times from receiving the Graph JSON text to
// the first painted view (JSON.parse, buildFlame, plotly draw, two animation
// frames): "cold" is the first view of the page, which also fetches,
// compiles and evaluates plotly; "warm" a second view in the same page.
// Medians of RUNS runs; raw runs go to bench/out/flame_100k.json.
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');
const out = path.join(here, 'out', 'flame_100k');
const nodes = Number(process.argv[2] || 100_000);
const runs = Number(process.argv[3] || 7);
const VARIANTS = ['partial', 'full'];

/** The baseline swaps our partial bundle for the full one, nothing else. */
const fullPlotly = {
  name: 'full-plotly',
  setup(build) {
    build.onResolve({ filter: /\/plotly-bundle$/ }, () => ({ path: 'full', namespace: 'full-plotly' }));
    build.onLoad({ filter: /.*/, namespace: 'full-plotly' }, () => ({
      contents: "export { default } from 'plotly.js-dist-min';",
      resolveDir: root,
      loader: 'js'
    }));
  }
};

async function bundle(variant) {
  const outdir = path.join(out, variant);
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(here, 'flame_100k_page.ts')],
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    target: 'es2020',
    // plotly.js's own build defines this too (some of its modules test it).
    define: { global: 'window' },
    // As webpack.config.js for the labextension: maplibre's CSS (map traces) is dead weight.
    loader: { '.css': 'empty' },
    outdir,
    plugins: variant === 'full' ? [fullPlotly] : [],
    logLevel: 'error'
  });
  fs.writeFileSync(
    path.join(outdir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><body style="width:1200px"><script type="module" src="flame_100k_page.js"></script>'
  );
  // The chunks besides the page itself: plotly (and what only it uses).
  const chunks = fs.readdirSync(outdir).filter(f => f.endsWith('.js') && f !== 'flame_100k_page.js');
  const bytes = chunks.reduce((sum, f) => sum + fs.statSync(path.join(outdir, f)).size, 0);
  return { variant, bytes };
}

/** A static server for bench/out/flame_100k: the chunks arrive over HTTP, as in JupyterLab. */
function serve() {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const file = path.join(out, path.normalize(decodeURIComponent(req.url.split('?')[0])));
    if (!file.startsWith(out) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = xs => {
  const s = xs.filter(x => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

const sizes = [];
for (const variant of VARIANTS) {
  sizes.push(await bundle(variant));
}
const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
});
const results = Object.fromEntries(VARIANTS.map(v => [v, []]));
try {
  for (let run = 0; run < runs; run++) {
    // Alternate the order so that neither variant always runs first.
    for (const variant of run % 2 ? [...VARIANTS].reverse() : VARIANTS) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}/${variant}/index.html`);
      await page.waitForFunction(() => typeof window.runFlameBench === 'function');
      const cold = await page.evaluate(n => window.runFlameBench(n, 1500, 0.001), nodes);
      const warm = await page.evaluate(n => window.runFlameBench(n, 1500, 0.001), nodes);
      results[variant].push({ cold, warm });
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}

const r = results.partial[0].cold;
console.log(`tree nodes: ${r.nodes.toLocaleString('en')}, frames: ${r.frames.toLocaleString('en')}, Graph JSON: ${r.jsonMB.toFixed(1)} MB; ${runs} runs per variant, medians in ms`);
const columns = [
  ['first view', 'timeToFirstViewMs'],
  ['JSON.parse', 'parseMs'],
  ['build', 'buildMs'],
  ['plotly load', 'plotlyLoadMs'],
  ['of it fetch', 'plotlyFetchMs'],
  ['wait', 'waitMs'],
  ['plotly draw', 'drawMs'],
  ['paint', 'paintMs']
];
console.log(['variant', 'page', ...columns.map(c => c[0])].map(s => s.padStart(12)).join(''));
for (const variant of VARIANTS) {
  for (const when of ['cold', 'warm']) {
    const row = columns.map(([, key]) => median(results[variant].map(x => x[when][key])).toFixed(0));
    console.log([variant, when, ...row].map(s => String(s).padStart(12)).join(''));
  }
}
const firsts = v => results[v].map(x => x.cold.timeToFirstViewMs).sort((a, b) => a - b).map(x => x.toFixed(0));
for (const variant of VARIANTS) {
  console.log(`${variant} cold runs: ${firsts(variant).join(', ')} ms`);
}
for (const { variant, bytes } of sizes) {
  const fetched = median(results[variant].map(x => x.cold.plotlyKB));
  console.log(`${variant}: plotly chunk ${(bytes / 1e6).toFixed(2)} MB minified (${fetched.toFixed(0)} kB fetched by the cold view)`);
}
console.log(`buildFlame alone (median): ${median(results.partial.map(x => x.warm.builderMs)).toFixed(0)} ms`);
console.log(`boxes drawn: ${r.boxesDrawn} (${r.labelled} labelled, plot ${r.plotWidth} px wide); merged: ${r.mergedNodes.toLocaleString('en')} nodes into ${r.mergedBoxes} boxes; below the levels drawn: ${r.deeperNodes.toLocaleString('en')}`);
console.log(`the view says: ${r.note}`);
fs.writeFileSync(path.join(here, 'out', 'flame_100k.json'), JSON.stringify({ nodes, runs, sizes, results }, null, 1));
