// Flame graph of a 100,000-node call tree in Debian's Chromium:
//   node bench/flame_100k.mjs [NODES] [RUNS]
// Bundles bench/flame_100k_page.ts (the real FlameView + plotly) with
// esbuild into bench/out/, opens it from a file:// page, and prints the time
// from receiving the Graph JSON text to the first painted view (JSON.parse,
// buildFlame, plotly draw, two animation frames), and what was merged.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath } from 'url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'out');
const nodes = Number(process.argv[2] || 100_000);
const runs = Number(process.argv[3] || 5);
fs.mkdirSync(out, { recursive: true });
execFileSync(
  path.join(here, '..', 'node_modules', '.bin', 'esbuild'),
  [path.join(here, 'flame_100k_page.ts'), '--bundle', '--format=iife', '--target=es2020', '--log-level=warning',
   `--outfile=${path.join(out, 'flame_100k.js')}`],
  { stdio: 'inherit' }
);
fs.writeFileSync(
  path.join(out, 'flame_100k.html'),
  '<!doctype html><meta charset="utf-8"><body style="width:1200px"><script src="flame_100k.js"></script>'
);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run']
});
try {
  const results = [];
  for (let run = 0; run < runs; run++) {
    // A fresh page each run: no warm plotly, as for a new output (plotly's
    // script is part of the bundle, already parsed: JupyterLab loads it once).
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto('file://' + path.join(out, 'flame_100k.html'));
    const cold = await page.evaluate(n => window.runFlameBench(n, 1500, 0.001), nodes);
    // Second output in the same page: plotly already loaded, as for every
    // output after the first in a JupyterLab session.
    const warm = await page.evaluate(n => window.runFlameBench(n, 1500, 0.001), nodes);
    results.push({ ...warm, coldMs: cold.timeToFirstViewMs });
    await page.close();
  }
  const times = results.map(r => r.timeToFirstViewMs).sort((a, b) => a - b);
  const r = results[0];
  console.log(`tree nodes: ${r.nodes.toLocaleString('en')}, frames: ${r.frames.toLocaleString('en')}, Graph JSON: ${r.jsonMB.toFixed(1)} MB`);
  const colds = results.map(r => r.coldMs).sort((a, b) => a - b);
  console.log(`first output of the page (plotly loaded and evaluated too): median ${colds[Math.floor(colds.length / 2)].toFixed(0)} ms`);
  console.log(`time to first view, plotly loaded (parse + build + plotly + paint), ${runs} runs: ` +
    `min ${times[0].toFixed(0)} ms, median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms`);
  const med = k => results.map(x => x[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)].toFixed(0);
  console.log(`breakdown (median): JSON.parse ${med('parseMs')} ms, buildFlame ${med('builderMs')} ms, rest (widget + plotly + paint) = total − both`);
  console.log(`boxes drawn: ${r.boxesDrawn}; merged: ${r.mergedNodes.toLocaleString('en')} nodes into ${r.mergedBoxes} boxes; below the levels drawn: ${r.deeperNodes.toLocaleString('en')}`);
  console.log(`the view says: ${r.note}`);
} finally {
  await browser.close();
}
