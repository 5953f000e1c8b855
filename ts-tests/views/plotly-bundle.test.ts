/**
 * The partial plotly bundle (src/views/plotly-bundle.ts) in a real browser:
 * it registers the trace types the view builders produce, and no others,
 * and draws each of them. Bundled with esbuild as the labextension's webpack
 * would (plotly's CommonJS modules), run in Debian's Chromium.
 */
import * as esbuild from 'esbuild';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';

import { buildFlame } from '../../src/views/flame';
import { buildLines, linesRecorded } from '../../src/views/lines';
import { heaviestFrame } from '../../src/views/selection';
import { buildTimeline } from '../../src/views/timeline';
import { loadGraph } from './graphs';

const ROOT = path.join(__dirname, '..', '..');

/** The traces (and layouts) of every builder the widgets hand to plotly. */
function charts(): { name: string; traces: { type: string }[]; layout: object }[] {
  const cpuburn = loadGraph('vmprof_cpuburn');
  const memory = loadGraph('lines_memory');
  const flame = buildFlame(cpuburn, { maxNodes: 1500, minNodeFraction: 0.001, maxDepth: 14, plotWidth: 800 });
  const timeline = buildTimeline(memory)!;
  const areas = buildTimeline(loadGraph('threads'), { style: 'lines' })!;
  expect(linesRecorded(memory)).toBe(true);
  const lines = buildLines(memory, heaviestFrame(memory))!;
  return [
    { name: 'flame', traces: [flame.trace], layout: { height: 300 } },
    { name: 'timeline', traces: timeline.traces, layout: timeline.layout },
    { name: 'timeline areas', traces: areas.traces, layout: areas.layout },
    { name: 'lines', traces: lines.traces, layout: lines.layout }
  ];
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  const built = await esbuild.build({
    stdin: {
      contents: "import Plotly, { TRACE_TYPES } from './src/views/plotly-bundle'; Object.assign(window, { Plotly, TRACE_TYPES });",
      resolveDir: ROOT,
      loader: 'ts'
    },
    bundle: true,
    format: 'iife',
    target: 'es2020',
    define: { global: 'window' },
    // plotly's registry imports maplibre's CSS for map traces, not ours.
    loader: { '.css': 'empty' },
    write: false,
    logLevel: 'error'
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  });
  page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  await page.setContent('<!doctype html><meta charset="utf-8"><body><div id="plot" style="width: 800px"></div>');
  await page.addScriptTag({ content: built.outputFiles[0].text });
});

afterAll(async () => {
  await browser?.close();
});

describe('the partial plotly bundle', () => {
  it('registers icicle, bar and scatter, and not the rest of plotly', async () => {
    const registered = await page.evaluate(() =>
      Object.keys((window as any).Plotly.PlotSchema.get().traces).sort()
    );
    expect(registered).toEqual(['bar', 'icicle', 'scatter']);
    expect(await page.evaluate(() => (window as any).TRACE_TYPES)).toEqual(['icicle', 'bar', 'scatter']);
  });

  it('registers every trace type the view builders produce', async () => {
    const types = new Set(charts().flatMap(c => c.traces.map(t => t.type)));
    const registered = await page.evaluate(() => (window as any).TRACE_TYPES as string[]);
    expect([...types].filter(t => !registered.includes(t))).toEqual([]);
  });

  it.each(charts().map(c => [c.name, c] as const))('draws the %s chart', async (_name, chart) => {
    const drawn = await page.evaluate(async ({ traces, layout }) => {
      const Plotly = (window as any).Plotly;
      const div = document.getElementById('plot')!;
      Plotly.purge(div);
      await Plotly.newPlot(div, traces, layout);
      const count = (selector: string) => div.querySelectorAll(selector).length;
      return {
        // What plotly made of each trace (its full data), and what it drew.
        types: div && (div as any)._fullData.map((t: { type: string; visible: unknown }) => `${t.type}:${t.visible}`),
        slices: count('g.slice path.surface'),
        bars: count('.barlayer g.point path'),
        lines: count('.scatterlayer path.js-line'),
        fills: count('.scatterlayer path.js-fill')
      };
    }, chart);
    expect(drawn.types).toEqual(chart.traces.map(t => `${t.type}:true`));
    const of = (type: string) => chart.traces.filter(t => t.type === type) as any[];
    if (of('icicle').length) {
      expect(drawn.slices).toBe(of('icicle')[0].ids.length);
    }
    if (of('bar').length) {
      expect(drawn.bars).toBeGreaterThan(0);
    }
    if (of('scatter').length) {
      expect(drawn.lines + drawn.fills).toBeGreaterThan(0);
    }
  });
});
