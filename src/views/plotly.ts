/**
 * The one plotly loader of the views (plotly is big: it is loaded when a
 * chart is first drawn, or when the page is idle), and the theme-following
 * layout every chart shares.
 */
import type { Layout } from 'plotly.js';

import { cssVariable } from './dom';

export type PlotlyModule = typeof import('plotly.js').default;

/**
 * User Timing marks around the first view: where its time goes shows in
 * DevTools' performance panel, and bench/flame_100k*.mjs read them.
 */
export const MARKS = {
  graphRequested: 'jp-vmprof:graph-requested',
  graphReceived: 'jp-vmprof:graph-received',
  plotlyRequested: 'jp-vmprof:plotly-requested',
  plotlyReady: 'jp-vmprof:plotly-ready',
  flameBuilt: 'jp-vmprof:flame-built',
  flameDrawn: 'jp-vmprof:flame-drawn'
} as const;

/** Sets a User Timing mark; never fails (old browsers, Node tests). */
export function mark(name: string): void {
  globalThis.performance?.mark?.(name);
}

let plotlyPromise: Promise<PlotlyModule> | null = null;

export function loadPlotly(): Promise<PlotlyModule> {
  if (!plotlyPromise) {
    mark(MARKS.plotlyRequested);
    // Our partial bundle (plotly-bundle.ts) in a chunk of its own.
    plotlyPromise = import(/* webpackChunkName: "plotly" */ './plotly-bundle').then(
      m => {
        mark(MARKS.plotlyReady);
        return m.default ?? (m as unknown as PlotlyModule);
      },
      error => {
        // Let the next draw try again (e.g. the extension was rebuilt meanwhile).
        plotlyPromise = null;
        throw error;
      }
    );
  }
  return plotlyPromise;
}

/** Transparent background, theme font and hover colours, read from `node`. */
export function themedLayout(node: Element, height: number): Partial<Layout> {
  const look = (name: string) => cssVariable(node, name);
  const font = look('--jp-ui-font-color1') || '#000';
  const grid = look('--jp-border-color2') || '#e0e0e0';
  return {
    height,
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: font, family: look('--jp-ui-font-family') || 'sans-serif', size: 12 },
    hoverlabel: {
      bgcolor: look('--jp-layout-color1') || '#fff',
      bordercolor: look('--jp-border-color1') || '#999',
      font: { color: font }
    },
    xaxis: { gridcolor: grid, zerolinecolor: grid },
    yaxis: { gridcolor: grid, zerolinecolor: grid }
  };
}

/** Calls `redraw` whenever JupyterLab switches theme; returns the observer to disconnect. */
export function observeTheme(redraw: () => void): MutationObserver {
  const observer = new MutationObserver(redraw);
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
  });
  return observer;
}

/**
 * Fetches and evaluates plotly once the browser is idle, so that the first
 * profile drawn does not wait for it; failures surface later, where the
 * flame view reports them.
 */
export function preloadPlotlyWhenIdle(): void {
  const load = () => void loadPlotly().catch(() => undefined);
  const idle = (
    window as { requestIdleCallback?: (cb: () => void, opts?: { timeout: number }) => number }
  ).requestIdleCallback;
  if (idle) {
    idle(load, { timeout: 5000 });
  } else {
    window.setTimeout(load, 1000);
  }
}
